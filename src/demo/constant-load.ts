import { Agent, request } from 'node:http';

/** What one version answered: how many responses, how many were not 2xx, and when. */
export interface VersionTally {
  readonly responses: number;
  readonly failed: number;
  /** Epoch ms of its first and latest response. */
  readonly firstAt: number;
  readonly lastAt: number;
}

export interface LoadResult {
  readonly sent: number;
  readonly statuses: Readonly<Record<number, number>>;
  readonly errors: readonly string[];
  /** Responses per `x-version` header value. */
  readonly versions: Readonly<Record<string, number>>;
  /** Per `x-version`: responses, failures and when they came. */
  readonly byVersion: Readonly<Record<string, VersionTally>>;
  readonly non2xx: number;
  readonly durationMs: number;
  /** Requests per second actually completed. */
  readonly rate: number;
}

/**
 * Constant-rate HTTP load on one URL from this process, until `stop()`: one request every
 * `1000 / rps` ms over keep-alive connections, whatever the answers take.
 */
export class ConstantLoad {
  private sent = 0;
  private readonly statuses: Record<number, number> = {};
  private readonly versions: Record<string, number> = {};
  private readonly tallies: Record<string, VersionTally> = {};
  private readonly errors: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private startedAt = 0;

  constructor(
    private readonly url: string,
    private readonly rps = 250,
  ) {}

  start(): this {
    this.startedAt = Date.now();
    const interval = 1000 / this.rps;
    let due = this.startedAt;
    const tick = () => {
      const now = Date.now();
      while (due <= now) {
        this.fire();
        due += interval;
      }
      this.timer = setTimeout(tick, Math.max(1, due - Date.now()));
    };
    tick();
    return this;
  }

  /** Stops sending, waits for answers in flight, and reports. */
  async stop(): Promise<LoadResult> {
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    this.agent.destroy();
    const durationMs = Date.now() - this.startedAt;
    const ok = Object.entries(this.statuses)
      .filter(([code]) => Number(code) >= 200 && Number(code) < 300)
      .reduce((sum, [, n]) => sum + n, 0);
    const answered = Object.values(this.statuses).reduce((a, b) => a + b, 0);
    return {
      sent: this.sent,
      statuses: { ...this.statuses },
      errors: [...this.errors],
      versions: { ...this.versions },
      byVersion: this.byVersion(),
      non2xx: answered - ok,
      durationMs,
      rate: (answered * 1000) / durationMs,
    };
  }

  /** Snapshot of the versions seen so far. */
  seenVersions(): Readonly<Record<string, number>> {
    return { ...this.versions };
  }

  /** Per version: responses, failures (not 2xx) and the times of the first and latest. */
  byVersion(): Readonly<Record<string, VersionTally>> {
    return Object.fromEntries(Object.entries(this.tallies).map(([v, t]) => [v, { ...t }]));
  }

  private tally(version: string, status: number): void {
    const now = Date.now();
    const before = this.tallies[version];
    const failed = status < 200 || status >= 300 ? 1 : 0;
    this.tallies[version] = before
      ? { ...before, responses: before.responses + 1, failed: before.failed + failed, lastAt: now }
      : { responses: 1, failed, firstAt: now, lastAt: now };
  }

  private fire(): void {
    this.sent++;
    const done = new Promise<void>((resolve) => {
      const req = request(this.url, { agent: this.agent, timeout: 10_000 }, (res) => {
        const version = res.headers['x-version'];
        if (typeof version === 'string') {
          this.versions[version] = (this.versions[version] ?? 0) + 1;
          this.tally(version, res.statusCode ?? 0);
        }
        res.resume();
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          this.statuses[code] = (this.statuses[code] ?? 0) + 1;
          resolve();
        });
        res.on('error', (error) => {
          this.errors.push(`response: ${error.message}`);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout after 10s')));
      req.on('error', (error) => {
        this.errors.push(error.message);
        resolve();
      });
      req.end();
    });
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
  }
}
