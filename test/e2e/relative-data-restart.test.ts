import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { deployHello, eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { ConstantLoad, type LoadResult } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';

interface InstanceBody {
  id: string;
  version: string;
  pid: number;
  phase: string;
}
interface EventBody {
  kind: string;
  subject: string;
  payload: Record<string, unknown>;
}

/**
 * Load on the route for `ms` while the server is up. (The router outlives the server: one load
 * also runs across the kill -9 below; router-survives-restart.test.ts measures more of that.)
 */
async function loadFor(routePort: number, ms: number): Promise<LoadResult> {
  const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
  await sleep(ms);
  return load.stop();
}

function failures(result: LoadResult): { non2xx: number; errors: readonly string[] } {
  return { non2xx: result.non2xx, errors: result.errors };
}

async function instancesOf(server: FerryServer): Promise<InstanceBody[]> {
  const { instances } = await server.get<{ instances: InstanceBody[] }>(
    '/api/v1/instances?service=hello&environment=prod',
  );
  return instances;
}

function pidsOf(instances: readonly InstanceBody[]): Record<string, number> {
  return Object.fromEntries(instances.map((i) => [i.id, i.pid]));
}

async function eventsOf(server: FerryServer, kind: string): Promise<EventBody[]> {
  const { events } = await server.get<{ events: EventBody[] }>(
    `/api/v1/events?kind=${kind}&limit=1000`,
  );
  return events;
}

describe('a server restarted on a relative --data folder under constant load', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  it('adopts every instance (same pids) after SIGTERM and after SIGKILL, with no failed request', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 3 }), {
      relativeData: '.ferry',
    });
    await server.start();
    expect((await deployHello(server, { version: 'v1' })).phase).toBe('Succeeded');
    const before = pidsOf(await instancesOf(server));
    expect(Object.keys(before)).toHaveLength(3);

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      expect(failures(await loadFor(routePort, 1500)), `before ${signal}`).toEqual({
        non2xx: 0,
        errors: [],
      });
      // Through a kill -9, one load runs on: before the kill, while the server is down, while
      // the next one adopts the instances, and after.
      if (signal === 'SIGKILL')
        load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
      await server.kill(signal);
      await server.start(); // returns once /readyz answers 200
      // Long enough for the old sweep, which killed adopted instances 0.2 s after adopting them.
      const after = await loadFor(routePort, 3000);
      if (load) {
        const across = await load.stop();
        load = undefined;
        expect(failures(across), 'one load across the kill -9 and the restart').toEqual({
          non2xx: 0,
          errors: [],
        });
        expect(across.versions).toEqual({ v1: across.sent });
      }

      expect(failures(after), `after ${signal}`).toEqual({ non2xx: 0, errors: [] });
      expect(after.versions).toEqual({ v1: after.sent });
      const instances = await instancesOf(server);
      expect(pidsOf(instances), `after ${signal}`).toEqual(before);
      expect(instances.every((i) => i.phase === 'ready')).toBe(true);
      expect(server.instancePids().sort()).toEqual(Object.values(before).sort());
    }
    expect(await eventsOf(server, 'instance.crashed')).toEqual([]);
    expect((await eventsOf(server, 'instance.adopted')).length).toBe(6);
  });

  it('keeps maxUnavailable 0 through a SIGKILL in the middle of a rolling update', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(
      helloConfig({ routePort, replicas: 3, maxSurge: 1, maxUnavailable: 0 }),
      { relativeData: '.ferry' },
    );
    await server.start();
    await deployHello(server, { version: 'v1' });
    // Slow starts stretch the rollout so the kill lands in its middle.
    const v2 = await startDeploy(
      server,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', startDelayMs: 1500 }),
    );
    await eventually(
      async () =>
        (await eventsOf(server!, 'instance.ready')).find((e) => e.payload['version'] === 'v2'),
      30_000,
      'the first v2 instance to be ready',
    );
    const running = pidsOf((await instancesOf(server)).filter((i) => i.pid > 0));
    await server.kill('SIGKILL');

    await server.start();
    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
    const final = await waitForFinal(server, v2.id);
    const result = await load.stop();

    // Every instance that ran before the kill was adopted with its process, none was lost.
    const adopted = Object.fromEntries(
      (await eventsOf(server, 'instance.adopted')).map((e) => [
        e.subject.replace('instance/', ''),
        e.payload['pid'],
      ]),
    );
    // The rollout may have retired an old instance between the snapshot and the kill (a v2 became
    // ready): that one was drained on purpose, not lost. Every other one was adopted as it ran.
    const retired = new Set(
      (await eventsOf(server, 'instance.draining')).map((e) => e.subject.replace('instance/', '')),
    );
    const stillRunning = Object.fromEntries(
      Object.entries(running).filter(([id]) => !retired.has(id) || id in adopted),
    );
    expect(adopted).toEqual(stillRunning);
    expect(Object.keys(stillRunning).length).toBeGreaterThanOrEqual(3);
    const lost = await eventsOf(server, 'instance.lost');
    // One drained and stopped just before the kill is found gone on restart: it was retired.
    const gone = lost.filter(
      (e) =>
        e.payload['reason'] === 'process gone after server restart' &&
        !retired.has(e.subject.replace('instance/', '')),
    );
    expect(gone).toEqual([]);
    expect(final.phase).toBe('Succeeded');
    expect(failures(result)).toEqual({ non2xx: 0, errors: [] });
    expect(await eventsOf(server, 'instance.crashed')).toEqual([]);
  });
});
