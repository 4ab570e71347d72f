import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { routerPid } from '../support/router-process.js';
import { act, shareOver, waitForPhase } from '../support/rollout.js';

const canarySteps = `      canary:
        steps:
          - setWeight: 20
          - pause: {}
          - setWeight: 50
          - pause: {}
`;

describe('the router process outlives ferry server', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  for (const [how, signal] of [
    ['kill -9', 'SIGKILL'],
    ['a graceful stop', 'SIGTERM'],
  ] as const) {
    it(`serves every request, split as before, while the server is down 5 s after ${how}; the canary resumes at its step`, async () => {
      const routePort = await freePort();
      server = await FerryServer.create(
        helloConfig({ routePort, replicas: 2, strategy: canarySteps }),
      );
      await server.start();
      await deployHello(server, { version: 'v1' });
      load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
      const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
      await waitForPhase(server, 'Paused', 1);
      await act(server, 'promote');
      const before = await waitForPhase(server, 'Paused', 3);
      expect(before.traffic?.canaryWeight).toBe(50);
      const router = routerPid(server);

      await server.kill(signal);
      // 500 requests while no server runs: the router keeps the 50 % split (±0.1 is over 4
      // binomial standard deviations).
      const down = await shareOver(load, 'v2', 5_000);
      expect(down.total).toBeGreaterThanOrEqual(400);
      expect(Math.abs(down.share - 0.5)).toBeLessThanOrEqual(0.1);

      await server.start();
      const after = await waitForPhase(server, 'Paused', 3);
      expect(after.traffic?.canaryWeight).toBe(50);
      expect(after.deployment?.id).toBe(v2.id);
      // The restarted server adopted the same router process.
      expect(routerPid(server)).toBe(router);

      await act(server, 'promote');
      expect((await waitForFinal(server, v2.id)).phase).toBe('Succeeded');
      const all = await shareOver(load, 'v2', 1_000);
      expect(all.share).toBe(1);
      const result = await load.stop();
      load = undefined;
      expect(result.errors).toEqual([]);
      expect(result.non2xx).toBe(0);
    });
  }

  for (const [what, kill] of [
    ['the router process and its workers die', (pid: number) => process.kill(-pid, 'SIGKILL')],
    ['the router process dies alone', (pid: number) => process.kill(pid, 'SIGKILL')],
  ] as const) {
    it(`starts a new router when ${what}, serving the same routes`, async () => {
      const routePort = await freePort();
      server = await FerryServer.create(helloConfig({ routePort, replicas: 2 }));
      await server.start();
      await deployHello(server, { version: 'v1' });
      const first = routerPid(server);
      kill(first);
      await eventually(
        async () => (routerPid(server!) !== first ? true : undefined),
        15_000,
        'a new router',
      );
      const served = await eventually(
        () =>
          fetch(`http://127.0.0.1:${routePort}/`)
            .then((res) => (res.ok ? (res.headers.get('x-version') ?? undefined) : undefined))
            .catch(() => undefined),
        15_000,
        'the route to answer',
      );
      expect(served).toBe('v1');
      // The server says so (its log line may come a moment after the new router serves).
      await eventually(
        async () =>
          /the router process died: started a new one/.test(server!.output.join(''))
            ? true
            : undefined,
        10_000,
        'the log line of the new router',
      );
    });
  }
});
