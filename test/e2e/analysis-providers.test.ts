import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { allocatePort } from '../../src/runtime/local/free-port.js';
import { deployHello, eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { getRollout } from '../support/rollout.js';

interface AnalysisBody {
  runs: {
    name: string;
    phase: string;
    message: string | null;
    metrics: {
      name: string;
      phase: string;
      measurements: { phase: string; value: unknown; message: string | null }[];
    }[];
  }[];
}

/** Half the traffic to the canary, then the templates as a blocking analysis step (`step-2`). */
const canaryStrategy = (template: string) => `      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 50
          - analysis: { templates: [${template}] }
`;

/** An HTTP server the web provider calls, recording what it was sent. */
class StubServer {
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];

  private constructor(private readonly server: Server) {}

  /** Answers every request with `body`, or never answers at all when `body` is undefined. */
  static async start(body: unknown): Promise<StubServer> {
    const stub: StubServer = new StubServer(
      createServer((req, res) => {
        stub.requests.push({ url: req.url ?? '', headers: req.headers });
        if (body === undefined) return; // holds the request until the caller gives up
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      }),
    );
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('analysis providers during canary rollouts', () => {
  let server: FerryServer | undefined;
  const stubs: StubServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
    for (const stub of stubs.splice(0)) await stub.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Ferry with `v1` of hello deployed outright (a first deployment runs no analysis). */
  async function start(template: string, analysisYaml: string) {
    const routePort = await freePort();
    const s = await FerryServer.create(
      helloConfig({
        routePort,
        replicas: 2,
        strategy: canaryStrategy(template),
        service: `    analysis:\n${analysisYaml}`,
      }),
    );
    server = s;
    await s.start();
    expect((await deployHello(s, { version: 'v1' })).phase).toBe('Succeeded');
    return { server: s, routePort };
  }

  function deployV2(s: FerryServer) {
    return startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
  }

  function analysisOf(s: FerryServer, id: string): Promise<AnalysisBody> {
    return s.get<AnalysisBody>(`/api/v1/deployments/${id}/analysis`);
  }

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-checks-'));
    dirs.push(dir);
    return dir;
  }

  /** A script run as `node <script>` by the command provider. */
  function script(name: string, source: string): string {
    const path = join(tempDir(), name);
    writeFileSync(path, source);
    return JSON.stringify([process.execPath, path]);
  }

  it('web: passes a canary whose status endpoint answers ok', async () => {
    const stub = await StubServer.start({ ok: true, errors: 0.001 });
    stubs.push(stub);
    const { server: s } = await start(
      'status',
      `      status:
        interval: 300ms
        count: 3
        metrics:
          - name: ok
            provider:
              web: { url: ${stub.url}/status, headers: { authorization: Bearer t0ken }, timeout: 2s }
            successCondition: result.ok == true
          - name: errors
            provider:
              web: { url: ${stub.url}/status, jsonPath: '$.errors', timeout: 2s }
            max: 0.01
`,
    );
    const v2 = await deployV2(s);
    const final = await waitForFinal(s, v2.id);
    expect(final).toMatchObject({ phase: 'Succeeded', reason: null });

    const { runs } = await analysisOf(s, v2.id);
    expect(runs.map((r) => [r.name, r.phase])).toEqual([['step-2', 'Successful']]);
    const metrics = runs[0]!.metrics;
    expect(metrics.map((m) => [m.name, m.phase])).toEqual([
      ['status/ok', 'Successful'],
      ['status/errors', 'Successful'],
    ]);
    expect(metrics[0]!.measurements).toEqual(
      Array(3).fill(
        expect.objectContaining({ phase: 'Successful', value: { ok: true, errors: 0.001 } }),
      ),
    );
    expect(metrics[1]!.measurements).toEqual(
      Array(3).fill(expect.objectContaining({ phase: 'Successful', value: 0.001 })),
    );
    // The provider really called the endpoint, with the configured header.
    expect(stub.requests.length).toBeGreaterThanOrEqual(6);
    expect(stub.requests.every((r) => r.url === '/status')).toBe(true);
    expect(
      stub.requests.filter((r) => r.headers.authorization === 'Bearer t0ken').length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('web: aborts a canary whose status endpoint never answers (timeouts are errors)', async () => {
    const stub = await StubServer.start(undefined);
    stubs.push(stub);
    const { server: s } = await start(
      'status',
      `      status:
        interval: 300ms
        count: 3
        consecutiveErrorLimit: 2
        metrics:
          - name: ok
            provider:
              web: { url: ${stub.url}/status, timeout: 300ms }
            successCondition: result.ok == true
`,
    );
    const v2 = await deployV2(s);
    const final = await waitForFinal(s, v2.id);
    expect(final.phase).toBe('Aborted');
    expect(final.reason).toMatch(
      /^analysis "step-2" Error: status\/ok: 3 errors in a row, more than consecutiveErrorLimit 2; last: GET http:\/\/127\.0\.0\.1:\d+\/status: timed out after 300ms$/,
    );

    const { runs } = await analysisOf(s, v2.id);
    expect(runs.map((r) => [r.name, r.phase])).toEqual([['step-2', 'Error']]);
    const [metric] = runs[0]!.metrics;
    expect(metric?.phase).toBe('Error');
    expect(metric?.measurements).toEqual(
      Array(3).fill(
        expect.objectContaining({
          phase: 'Error',
          value: null,
          message: `GET ${stub.url}/status: timed out after 300ms`,
        }),
      ),
    );
    expect(stub.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('command: passes a canary whose check prints {"healthy": true}', async () => {
    const argv = script(
      'healthy.mjs',
      'console.log(JSON.stringify({ healthy: true, version: process.env.FERRY_VERSION }));\n',
    );
    const { server: s } = await start(
      'script',
      `      script:
        interval: 300ms
        count: 3
        metrics:
          - name: health
            provider:
              command: { argv: ${argv}, timeout: 10s }
            successCondition: result.healthy == true
`,
    );
    const v2 = await deployV2(s);
    expect(await waitForFinal(s, v2.id)).toMatchObject({ phase: 'Succeeded', reason: null });

    const { runs } = await analysisOf(s, v2.id);
    expect(runs.map((r) => [r.name, r.phase])).toEqual([['step-2', 'Successful']]);
    // The check ran against the canary: Ferry told it the version under analysis.
    expect(runs[0]!.metrics[0]!.measurements).toEqual(
      Array(3).fill(
        expect.objectContaining({ phase: 'Successful', value: { healthy: true, version: 'v2' } }),
      ),
    );
  });

  it('command: aborts a canary whose check exits 3, showing its stderr', async () => {
    const argv = script(
      'failing.mjs',
      [
        "console.error('checking db-7');",
        "console.error('upstream db-7 refused the connection');",
        'process.exit(3);',
        '',
      ].join('\n'),
    );
    const { server: s } = await start(
      'script',
      `      script:
        interval: 300ms
        count: 3
        consecutiveErrorLimit: 1
        metrics:
          - name: health
            provider:
              command: { argv: ${argv}, timeout: 10s }
            successCondition: result.healthy == true
`,
    );
    const v2 = await deployV2(s);
    const final = await waitForFinal(s, v2.id);
    expect(final.phase).toBe('Aborted');
    expect(final.reason).toMatch(
      /^analysis "step-2" Error: script\/health: 2 errors in a row, more than consecutiveErrorLimit 1; last: command '.*': exited with code 3: upstream db-7 refused the connection$/,
    );

    const { runs } = await analysisOf(s, v2.id);
    expect(runs.map((r) => [r.name, r.phase])).toEqual([['step-2', 'Error']]);
    const measurements = runs[0]!.metrics[0]!.measurements;
    expect(measurements).toHaveLength(2);
    for (const m of measurements) {
      expect(m.phase).toBe('Error');
      expect(m.message).toMatch(
        /^command '.*': exited with code 3: upstream db-7 refused the connection$/,
      );
    }
  });

  it('prometheus: an unreachable server is an Error measurement, never a crash', async () => {
    const prometheusPort = await allocatePort(); // nobody listens there
    const { server: s, routePort } = await start(
      'prom',
      `      prom:
        interval: 300ms
        count: 3
        consecutiveErrorLimit: 1
        metrics:
          - name: error-rate
            provider:
              prometheus:
                address: http://127.0.0.1:${prometheusPort}
                query: 'sum(rate(http_requests_total{code=~"5.."}[1m]))'
                timeout: 2s
            max: 0.05
`,
    );
    const v2 = await deployV2(s);
    const final = await waitForFinal(s, v2.id);
    expect(final.phase).toBe('Aborted');
    const refused = `prometheus at http://127.0.0.1:${prometheusPort}: connection refused`;
    expect(final.reason).toBe(
      'analysis "step-2" Error: prom/error-rate: 2 errors in a row, ' +
        `more than consecutiveErrorLimit 1; last: ${refused}`,
    );
    const { runs } = await analysisOf(s, v2.id);
    expect(runs.map((r) => [r.name, r.phase])).toEqual([['step-2', 'Error']]);
    expect(runs[0]!.metrics[0]!.measurements).toEqual(
      Array(2).fill(expect.objectContaining({ phase: 'Error', value: null, message: refused })),
    );

    // Ferry is still up: its API answers, and its router sends users to the stable version.
    const health = await request(`${s.url}/healthz`);
    await health.body.dump();
    expect(health.statusCode).toBe(200);
    const view = await getRollout(s);
    expect(view.deployment).toMatchObject({ id: v2.id, phase: 'Aborted' });
    await eventually(
      async () => {
        const res = await request(`http://127.0.0.1:${routePort}/`);
        await res.body.dump();
        return res.statusCode === 200 && res.headers['x-version'] === 'v1' ? true : undefined;
      },
      10_000,
      'the router to answer from v1',
    );
    // Still serving for good measure: ten requests in a row, all from the stable version.
    for (let i = 0; i < 10; i++) {
      const res = await request(`http://127.0.0.1:${routePort}/`);
      await res.body.dump();
      expect([res.statusCode, res.headers['x-version']]).toEqual([200, 'v1']);
    }
  });
});
