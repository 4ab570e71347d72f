import type { ProbeConfig } from '../../config/ferry-config.js';
import type { ProbeObservation } from '../../features/instances/instance-runtime.js';
import { localInstanceHost } from './free-port.js';
import { probeHttp } from './http-probe.js';

/** What a run of probe results amounts to; reported once per change. */
export type ProbeVerdict =
  { readonly kind: 'passing' } | { readonly kind: 'failing'; readonly reason: string };

/**
 * Probes one instance's HTTP endpoint every `intervalMs` after `initialDelayMs` and reports a
 * verdict when `successThreshold` successes or `failureThreshold` failures in a row are reached.
 * A verdict is reported again only after the other one was (so `passing` arrives once per
 * streak). Probes never overlap; timers are unref'd so a prober never keeps the process alive.
 */
export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private successes = 0;
  private failures = 0;
  private last: ProbeVerdict['kind'] | undefined;
  private stopped = false;
  private observed: ProbeObservation | undefined;

  constructor(
    private readonly port: number,
    private readonly config: ProbeConfig,
    private readonly onVerdict: (verdict: ProbeVerdict) => void,
    private readonly host = localInstanceHost,
    private readonly now: () => number = Date.now,
  ) {}

  /** The latest probe result and how many times in a row the same result came. */
  lastResult(): ProbeObservation | undefined {
    return this.observed;
  }

  start(): this {
    this.schedule(this.config.initialDelayMs);
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const result = await probeHttp({
      host: this.host,
      port: this.port,
      path: this.config.path,
      timeoutMs: this.config.timeoutMs,
      signal: this.abort.signal,
    });
    if (this.stopped) return;
    const text = result.ok ? `GET ${this.config.path} passing` : result.reason;
    const again = this.observed?.result === text;
    this.observed = {
      ok: result.ok,
      result: text,
      times: again ? this.observed!.times + 1 : 1,
      at: this.now(),
    };
    if (result.ok) {
      this.successes += 1;
      this.failures = 0;
      if (this.successes >= this.config.successThreshold) this.report({ kind: 'passing' });
    } else {
      this.failures += 1;
      this.successes = 0;
      if (this.failures >= this.config.failureThreshold) {
        this.report({ kind: 'failing', reason: result.reason });
      }
    }
    this.schedule(this.config.intervalMs);
  }

  private report(verdict: ProbeVerdict): void {
    if (this.last === verdict.kind) return;
    this.last = verdict.kind;
    this.onVerdict(verdict);
  }
}
