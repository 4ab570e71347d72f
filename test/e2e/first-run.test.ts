import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { FerryServer } from '../support/ferry-server.js';

/** An app with no /healthz, as a new user writes it: 200 on `/`, 404 elsewhere. */
function appWithoutHealthz(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-no-healthz-'));
  writeFileSync(
    join(dir, 'server.js'),
    `require('node:http').createServer((req, res) => {
  res.writeHead(req.url === '/' ? 200 : 404);
  res.end();
}).listen(Number(process.env.PORT), '127.0.0.1');
`,
  );
  return dir;
}

/** What a new user meets in the first hour: the `ferry` CLI against a real server. */
describe('a first run', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });
  const ferry = async (...args: string[]) => {
    const capture = captureIo({ pollIntervalMs: 100 });
    const code = await main([...args, '--server', server!.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };
  const deploy = (dir: string, version: string) =>
    ferry('deploy', 'hello', '--env', 'prod', '--dir', dir, '--version', version);

  it('says why a readiness probe fails, while deploying, at the deadline and in the logs', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(
      helloConfig({ routePort, replicas: 1, progressDeadline: '4s' }),
    );
    await server.start();

    const run = await deploy(appWithoutHealthz(), 'v1');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/ {2}not ready: hello-\S+: GET \/healthz → 404, /);
    const last = run.stderr.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^error: deploy hello v1 to prod .*0\/1 new instances ready/);
    expect(last).toMatch(/\(readiness probe: hello-\S+: GET \/healthz → 404, \d+ times\)/);

    const logs = await ferry('logs', 'hello', '--env', 'prod');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(
      /hello-\S+ ferry: readiness probe failing, no traffic until it passes: GET \/healthz → 404, (once|\d+ times)/,
    );
  });

  it('exits 3 when the rollout pauses, and resume goes past an open-ended pause', async () => {
    const routePort = await freePort();
    const strategy = `      canary:
        steps:
          - setWeight: 50
          - pause: {}
`;
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1, strategy }));
    await server.start();
    expect((await deploy(helloVersion({ version: 'v1' }), 'v1')).code).toBe(0);

    const paused = await deploy(helloVersion({ version: 'v2' }), 'v2');
    expect(paused.code, paused.stderr).toBe(3);
    expect(paused.stderr).toContain('hello v2 is paused in prod: paused at step 2/2');
    expect(paused.stderr).toContain(
      'it waits for "ferry rollout promote hello --env prod" (or "ferry rollout abort hello --env prod")',
    );

    const resumed = await ferry('rollout', 'resume', 'hello', '--env', 'prod');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain('still paused');
    const deadline = Date.now() + 60_000;
    let phase = '';
    while (phase !== 'Succeeded' && Date.now() < deadline) {
      const history = await ferry('history', 'hello', '--env', 'prod', '--json');
      const { deployments } = JSON.parse(history.stdout) as { deployments: { phase: string }[] };
      phase = deployments[0]?.phase ?? '';
      if (phase !== 'Succeeded') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(phase).toBe('Succeeded');
  });
});
