import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { haproxyPaths } from '../../src/traffic/haproxy/haproxy-paths.js';
import { HaproxyProcess } from '../../src/traffic/haproxy/haproxy-process.js';
import { requireHaproxy } from '../../src/traffic/haproxy/require-haproxy.js';
import { findPortHolder, processName } from '../../src/traffic/router/port-holder.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { act, shareOver, waitForPhase } from '../support/rollout.js';

/** hello's ferry.yaml with its one environment, prod, on HAProxy. */
function onHaproxy(options: Parameters<typeof helloConfig>[0]): string {
  const text = helloConfig(options);
  const onFerry = 'environments:\n  - name: prod\n';
  expect(text).toContain(onFerry);
  return text.replace(onFerry, 'environments:\n  - { name: prod, dataPlane: haproxy }\n');
}

/** Builtin error rate of the canary, read from HAProxy's counters every second. */
const errorsTemplate = `    analysis:
      errors:
        interval: 1s
        initialDelay: 1s
        failureLimit: 1
        inconclusiveLimit: 5
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 5
`;

describe.runIf(requireHaproxy())('rollouts on an HAProxy data plane', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    // HAProxy outlives the server by design: stop it by its pidfile (master and workers, by group).
    const haproxy =
      server && (await HaproxyProcess.find(haproxyPaths(join(server.dataDir, 'haproxy'))));
    await haproxy?.stop();
    server = load = undefined;
  });

  async function start(routePort: number, config: string): Promise<FerryServer> {
    server = await FerryServer.create(config);
    await server.start();
    await deployHello(server, { version: 'v1' });
    // The route is HAProxy's, not the server's.
    expect(processName(findPortHolder(routePort)!.pid)).toBe('haproxy');
    return server;
  }

  it('rolls 3 replicas to a new version under 250 requests/s without a failed request', async () => {
    const routePort = await freePort();
    const s = await start(routePort, onHaproxy({ routePort, replicas: 3 }));
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    await sleep(1_000);
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(s, v2.id)).phase).toBe('Succeeded');
    await sleep(1_000);
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(result.rate).toBeGreaterThanOrEqual(200);
    expect(result.versions['v1']).toBeGreaterThan(0);
    expect(result.versions['v2']).toBeGreaterThan(0);
    const config = readFileSync(join(s.dataDir, 'haproxy', 'haproxy.cfg'), 'utf8');
    expect(config).toContain(`bind 127.0.0.1:${routePort}`);
  });

  it('moves a canary from 20% to 100% under load without a failed request, 20% measured', async () => {
    const routePort = await freePort();
    const strategy = `      canary:
        steps:
          - setWeight: 20
          - pause: {}
`;
    const s = await start(routePort, onHaproxy({ routePort, replicas: 2, strategy }));
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(s, 'Paused', 1);
    const at20 = await shareOver(load, 'v2', 8_500);
    expect(at20.total).toBeGreaterThanOrEqual(2_000);
    expect(Math.abs(at20.share - 0.2)).toBeLessThanOrEqual(0.03);
    // The rollout view reads HAProxy's counters per track.
    const view = await s.get<{ tracks: { track: string; requests: number | null }[] }>(
      '/api/v1/rollouts/hello/prod',
    );
    expect(view.tracks.map((t) => t.track)).toEqual(['stable', 'canary']);
    expect(view.tracks.every((t) => (t.requests ?? 0) > 0)).toBe(true);

    await act(s, 'promote');
    expect((await waitForFinal(s, v2.id)).phase).toBe('Succeeded');
    const at100 = await shareOver(load, 'v2', 2_000);
    expect(at100.share).toBe(1);
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(result.rate).toBeGreaterThanOrEqual(200);
  });

  it('aborts a canary answering 30% 5xx by builtin error_rate read from HAProxy', async () => {
    const routePort = await freePort();
    const strategy = `      canary:
        abortScaleDownDelay: 1s
        analysis: { templates: [errors], startingStep: 1 }
        steps:
          - setWeight: 20
          - pause: { duration: 60s }
`;
    const config = onHaproxy({ routePort, replicas: 2, strategy, service: errorsTemplate });
    const s = await start(routePort, config);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const bad = helloVersion({ version: 'v2', errorRate: 0.3 });
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', bad);
    const aborted = await waitForPhase(s, 'Aborted', undefined, 60_000);
    expect(aborted.deployment?.id).toBe(v2.id);
    expect(aborted.deployment?.reason).toMatch(/^analysis "background" Failed: errors\/error-rate/);
    await shareOver(load, 'v2', 500);
    const after = await shareOver(load, 'v2', 2_000);
    expect(after.total).toBeGreaterThan(100);
    expect(after.share).toBe(0);
  });
  it('keeps serving while the server is down, and a restarted server adopts the same HAProxy', async () => {
    const routePort = await freePort();
    const s = await start(routePort, onHaproxy({ routePort, replicas: 2 }));
    const paths = haproxyPaths(join(s.dataDir, 'haproxy'));
    const before = (await HaproxyProcess.find(paths))!.masterPid;
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    await s.kill('SIGKILL');
    const whileDown = await shareOver(load, 'v1', 2_000);
    expect(whileDown.total).toBeGreaterThan(300);
    expect(whileDown.share).toBe(1);
    await s.start();
    expect((await HaproxyProcess.find(paths))?.masterPid).toBe(before);
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(s, v2.id)).phase).toBe('Succeeded');
    await shareOver(load, 'v2', 500);
    expect((await shareOver(load, 'v2', 1_000)).share).toBe(1);
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
  });
});
