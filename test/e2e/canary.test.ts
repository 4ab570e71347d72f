import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { act, getRollout, shareOver, waitForPhase } from '../support/rollout.js';

const canarySteps = `      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 10
          - pause: {}
          - setHeaderRoute:
              match:
                - header: x-canary
                  exact: "yes"
          - setWeight: 50
          - pause: {}
`;
// At 250 requests/s: 2,000 requests per measured step, 4,000 at 50% where the sampling spread is
// widest (3 points is then 3.8 standard deviations, so the test does not flake).
const window = 8_500;
const wideWindow = 16_500;

describe('canary rollouts under load', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  async function startWithV1(routePort: number): Promise<FerryServer> {
    const s = await FerryServer.create(
      helloConfig({ routePort, replicas: 2, strategy: canarySteps }),
    );
    await s.start();
    await deployHello(s, { version: 'v1' });
    return s;
  }

  it('shifts 10% then 50% then all traffic with zero failed requests, header route included', async () => {
    const routePort = await freePort();
    server = await startWithV1(routePort);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));

    await waitForPhase(server, 'Paused', 1);
    const at10 = await shareOver(load, 'v2', window);
    expect(at10.total).toBeGreaterThanOrEqual(2000);
    expect(Math.abs(at10.share - 0.1)).toBeLessThanOrEqual(0.03);

    await act(server, 'promote');
    await waitForPhase(server, 'Paused', 4);
    const at50 = await shareOver(load, 'v2', wideWindow);
    expect(at50.total).toBeGreaterThanOrEqual(2000);
    expect(Math.abs(at50.share - 0.5)).toBeLessThanOrEqual(0.03);

    // Per-track numbers: in Prometheus text at /metrics and in the rollout view.
    const metrics = await (await request(`${server.url}/metrics`)).body.text();
    for (const [track, version] of [
      ['stable', 'v1'],
      ['canary', 'v2'],
    ]) {
      expect(metrics).toMatch(
        new RegExp(`ferry_router_requests_total\\{[^}]*version="${version}"[^}]*track="${track}"`),
      );
    }
    const view = await server.get<{ tracks: { track: string; requests: number | null }[] }>(
      '/api/v1/rollouts/hello/prod',
    );
    expect(view.tracks.map((t) => t.track)).toEqual(['stable', 'canary']);
    expect(view.tracks.every((t) => (t.requests ?? 0) > 0)).toBe(true);

    // The header route sends every matching request to the canary, whatever the weight.
    for (let i = 0; i < 40; i++) {
      const res = await request(`http://127.0.0.1:${routePort}/`, {
        headers: { 'x-canary': 'yes' },
      });
      expect(res.headers['x-version']).toBe('v2');
      await res.body.dump();
    }
    // ...and the rollout view counts them on the canary, the load's requests on neither track.
    const routed = await server.get<{ tracks: { track: string; headerMatches: number | null }[] }>(
      '/api/v1/rollouts/hello/prod',
    );
    expect(routed.tracks.map((t) => [t.track, t.headerMatches])).toEqual([
      ['stable', 0],
      ['canary', 40],
    ]);

    await act(server, 'promote');
    expect((await waitForFinal(server, v2.id)).phase).toBe('Succeeded');
    const at100 = await shareOver(load, 'v2', 2000);
    expect(at100.share).toBe(1);
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(result.rate).toBeGreaterThanOrEqual(200);
  });

  it('promote --full skips the remaining steps', async () => {
    const routePort = await freePort();
    server = await startWithV1(routePort);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(server, 'Paused', 1);
    await act(server, 'promote', { full: true });
    expect((await waitForFinal(server, v2.id)).phase).toBe('Succeeded');
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(server.instancePids()).toHaveLength(2);
  });

  it('abort at 50% sends all traffic back to stable at once and stops the canary', async () => {
    const routePort = await freePort();
    server = await startWithV1(routePort);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(server, 'Paused', 1);
    await act(server, 'promote');
    await waitForPhase(server, 'Paused', 4);

    const aborted = await act(server, 'abort');
    expect(aborted.deployment?.phase).toBe('Aborted');
    // Requests already in flight at the abort finish where they were sent; give them 500 ms,
    // then nothing new may reach the canary.
    await shareOver(load, 'v2', 500);
    const after = await shareOver(load, 'v2', 2000);
    expect(after.share).toBeLessThan(0.01);
    await waitForPhase(server, 'Aborted');
    // The canary goes after abortScaleDownDelay (1s): only the two stable instances are left.
    const deadline = Date.now() + 15_000;
    while (server.instancePids().length !== 2 && Date.now() < deadline)
      await shareOver(load, 'v1', 200);
    expect(server.instancePids()).toHaveLength(2);
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);

    // Retry starts the canary again from its first step.
    await act(server, 'retry');
    const retried = await waitForPhase(server, 'Paused', 1);
    expect(retried.traffic?.canaryWeight).toBe(10);
  });

  it('keeps the step and the split after the server is killed mid-canary at 50%', async () => {
    const routePort = await freePort();
    server = await startWithV1(routePort);
    await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(server, 'Paused', 1);
    await act(server, 'promote');
    const before = await waitForPhase(server, 'Paused', 4);
    expect(before.traffic?.canaryWeight).toBe(50);

    await server.kill('SIGKILL');
    await server.start();
    const after = await waitForPhase(server, 'Paused', 4);
    expect(after.traffic?.canaryWeight).toBe(50);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const share = await shareOver(load, 'v2', wideWindow);
    expect(Math.abs(share.share - 0.5)).toBeLessThanOrEqual(0.03);
    expect((await getRollout(server)).deployment?.phase).toBe('Paused');
  });
});
