import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type ProviderResult } from '../features/analysis/metric-provider.js';
import { allocatePort } from '../runtime/local/free-port.js';
import { PrometheusProvider } from './prometheus-provider.js';
import { testContext } from './test-context.js';

const binary = '/usr/bin/prometheus';
const hint = 'install prometheus: apt-get install prometheus';
const available = existsSync(binary);
const provider = new PrometheusProvider();

/** What the scraped service exposes; the test reads these numbers back through Prometheus. */
const exposition = [
  '# TYPE ferry_test_gauge gauge',
  'ferry_test_gauge 42',
  '# TYPE ferry_test_requests_total counter',
  'ferry_test_requests_total{code="200"} 7',
  'ferry_test_requests_total{code="500"} 3',
  '',
].join('\n');

let target: Server;
let targetAddress: string;

beforeAll(async () => {
  target = createServer((request, response) => {
    if (request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition);
    } else {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>not found</h1>');
    }
  });
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  targetAddress = `127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  target.closeAllConnections();
  target.close();
  await once(target, 'close');
});

function query(address: string, text: string, now = Date.now()): Promise<ProviderResult> {
  const spec = { kind: 'prometheus', address, query: text, timeoutMs: 10_000 } as const;
  return provider.measure(spec, testContext({ now }));
}

describe('PrometheusProvider without Prometheus', () => {
  it('reports an address nobody listens on as connection refused', async () => {
    const port = await allocatePort();
    await expect(query(`http://127.0.0.1:${port}/`, 'up')).rejects.toThrow(
      new ProviderError(`prometheus at http://127.0.0.1:${port}: connection refused`),
    );
  });

  it('reports a server that is not Prometheus by its HTTP status', async () => {
    await expect(query(`http://${targetAddress}`, 'up')).rejects.toThrow(
      new ProviderError(`prometheus at http://${targetAddress}: HTTP 404`),
    );
  });
});

if (!available) {
  if (process.env['CI'] === 'true') {
    it('finds Prometheus, which CI must have', () => {
      expect.fail(`${binary} is missing; ${hint}`);
    });
  } else {
    console.warn(hint);
    it.skip(hint, () => {});
  }
}

/** A real Prometheus scraping `targetAddress` every second, on a free loopback port. */
class PrometheusProcess {
  private constructor(
    readonly address: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly log: () => string,
  ) {}

  static async start(scrapeTarget: string): Promise<PrometheusProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: ferry-test',
        `    static_configs: [{ targets: ['${scrapeTarget}'] }]`,
        '',
      ].join('\n'),
    );
    const port = await allocatePort();
    const child = spawn(
      binary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4_000)));
    const prometheus = new PrometheusProcess(`http://127.0.0.1:${port}`, child, dir, () => log);
    await prometheus.waitReady();
    return prometheus;
  }

  private async waitReady(): Promise<void> {
    for (let tries = 0; tries < 300; tries += 1) {
      if (this.child.exitCode !== null) break;
      const ready = await fetch(`${this.address}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await sleep(100);
    }
    throw new Error(`Prometheus did not become ready:\n${this.log()}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe.runIf(available)('PrometheusProvider against a real Prometheus', () => {
  let prometheus: PrometheusProcess;

  beforeAll(async () => {
    prometheus = await PrometheusProcess.start(targetAddress);
    // Wait for a scrape to land; Prometheus scrapes every second once it has started.
    for (let tries = 0; tries < 300; tries += 1) {
      const { value } = await query(prometheus.address, 'ferry_test_gauge');
      if (value !== null) return;
      await sleep(100);
    }
    throw new Error('Prometheus never scraped the test target');
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('reads a single sample as a number', async () => {
    expect(await query(prometheus.address, 'ferry_test_gauge')).toEqual({ value: 42 });
    expect(await query(prometheus.address, 'sum(ferry_test_requests_total)')).toEqual({
      value: 10,
    });
  });

  it('reads a scalar as a number, at the time of the measurement', async () => {
    expect(await query(prometheus.address, 'scalar(ferry_test_gauge) / 4')).toEqual({
      value: 10.5,
    });
    expect(await query(prometheus.address, 'time()', 1_700_000_123_000)).toEqual({
      value: 1_700_000_123,
    });
  });

  it('reads several samples as a list', async () => {
    expect(await query(prometheus.address, 'sort(ferry_test_requests_total)')).toEqual({
      value: [3, 7],
    });
  });

  it('reads no series and NaN as no data', async () => {
    expect(await query(prometheus.address, 'ferry_test_missing')).toEqual({
      value: null,
      sampleSize: 0,
    });
    // Before anything was scraped there is no data either.
    expect(await query(prometheus.address, 'ferry_test_gauge', 1_000_000_000_000)).toEqual({
      value: null,
      sampleSize: 0,
    });
    expect(await query(prometheus.address, 'ferry_test_gauge - ferry_test_gauge + 0/0')).toEqual({
      value: null,
    });
  });

  it("fails on bad PromQL with Prometheus' own message", async () => {
    const error = await query(prometheus.address, 'rate(ferry_test_gauge[').catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(
      new RegExp(`^prometheus at ${prometheus.address}: bad_data: .*parse error`),
    );
  });

  it('fails on a range vector, saying how to reduce it', async () => {
    await expect(query(prometheus.address, 'ferry_test_gauge[1m]')).rejects.toThrow(
      'query returned a range vector; reduce it to an instant value, e.g. rate(x[5m])',
    );
  });
});
