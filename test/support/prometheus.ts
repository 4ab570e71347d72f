import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { expect, it } from 'vitest';

export const prometheusBinary = '/usr/bin/prometheus';
const hint = 'install prometheus: apt-get install prometheus';

/**
 * Whether a real Prometheus can run here. When it cannot, registers one test that skips with the
 * install hint, or that fails under CI (`CI=true`), which must have Prometheus.
 *
 * @example
 * const available = requirePrometheus();
 * describe.runIf(available)('... against a real Prometheus', () => { ... });
 */
export function requirePrometheus(): boolean {
  if (existsSync(prometheusBinary)) return true;
  if (process.env['CI'] === 'true') {
    it('finds Prometheus, which CI must have', () => {
      expect.fail(`${prometheusBinary} is missing; ${hint}`);
    });
  } else {
    console.warn(hint);
    it.skip(hint, () => {});
  }
  return false;
}

interface TargetsBody {
  readonly data?: {
    readonly activeTargets?: readonly { readonly health: string; readonly lastError: string }[];
  };
}

interface QueryBody {
  readonly status: string;
  readonly data?: { readonly result?: readonly { readonly value: readonly [number, string] }[] };
}

/**
 * A real Prometheus on `127.0.0.1:port` scraping one `host:port` target's `/metrics` every second,
 * with its config and TSDB in a temp dir that `stop()` removes.
 */
export class PrometheusServer {
  private log = '';

  private constructor(
    readonly address: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-4_000);
    });
  }

  /** Starts Prometheus and waits until it is ready and its first scrape of `target` succeeded. */
  static async start(options: { readonly port: number; readonly target: string }) {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: ferry',
        `    static_configs: [{ targets: ['${options.target}'] }]`,
        '',
      ].join('\n'),
    );
    const child = spawn(
      prometheusBinary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${options.port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const prometheus = new PrometheusServer(`http://127.0.0.1:${options.port}`, child, dir);
    try {
      await prometheus.waitUntil(
        'ready',
        async () => (await prometheus.status('/-/ready')) === 200,
      );
      await prometheus.waitUntil(`scraping ${options.target}`, async () => {
        const body = await prometheus.json<TargetsBody>('/api/v1/targets?state=active');
        return body.data?.activeTargets?.[0]?.health === 'up';
      });
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  /** An instant vector query's value now: its one sample, or null for no series or NaN. */
  async query(promql: string): Promise<number | null> {
    const body = await this.json<QueryBody>(`/api/v1/query?query=${encodeURIComponent(promql)}`);
    const result = body.data?.result ?? [];
    if (body.status !== 'success' || result.length > 1) {
      throw new Error(`Prometheus query ${promql}: ${JSON.stringify(body)}`);
    }
    const value = Number(result[0]?.value[1] ?? Number.NaN);
    return Number.isNaN(value) ? null : value;
  }

  /** Stops Prometheus (SIGTERM, SIGKILL after 10 s) and removes its files. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && this.child.exitCode === null) {
      if (await check().catch(() => false)) return;
      await sleep(100);
    }
    const targets = await this.json<TargetsBody>('/api/v1/targets').catch(() => undefined);
    throw new Error(
      `Prometheus at ${this.address} not ${what}` +
        `${targets ? `; targets: ${JSON.stringify(targets.data?.activeTargets)}` : ''}\n${this.log}`,
    );
  }

  private async status(path: string): Promise<number> {
    const res = await request(`${this.address}${path}`);
    await res.body.dump();
    return res.statusCode;
  }

  private async json<T>(path: string): Promise<T> {
    const res = await request(`${this.address}${path}`);
    return (await res.body.json()) as T;
  }
}
