import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { waitForPhase } from '../support/rollout.js';

/** `/` must answer 200, and `/info` (echoed by examples/hello) must name the version. */
const smoke = `    smoke:
      - { path: /, expectStatus: [200] }
      - { path: /info, expectBody: '"version"' }
`;

describe('smoke checks of new instances', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  async function start(strategy?: string) {
    const routePort = await freePort();
    const s = await FerryServer.create(
      helloConfig({ routePort, replicas: 2, service: smoke, ...(strategy ? { strategy } : {}) }),
    );
    await s.start();
    server = s;
    await deployHello(s, { version: 'v1' });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
    return { server: s, load };
  }

  it('lets a canary that passes them through, and aborts one failing them before it gets traffic', async () => {
    const { server: s, load: l } = await start(`      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 50
          - pause: { duration: 2s }
`);
    const good = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(s, good.id)).phase).toBe('Succeeded');
    expect(l.byVersion()['v2']?.responses).toBeGreaterThan(0);

    const broken = await startDeploy(
      s,
      'hello',
      'prod',
      'v3',
      helloVersion({ version: 'v3', errorRate: 1 }),
    );
    const aborted = await waitForPhase(s, 'Aborted');
    expect(aborted.deployment?.id).toBe(broken.id);
    expect(aborted.deployment?.reason).toMatch(
      /failed its smoke checks: smoke check 1\/2 \(GET \/\): answered 500, expected 200/,
    );
    await sleep(1_000);

    const result = await l.stop();
    load = undefined;
    expect(result.byVersion['v3']).toBeUndefined();
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
  });

  it('rolls a rolling update back when a new instance fails them, before it gets traffic', async () => {
    const { server: s, load: l } = await start();
    const broken = await startDeploy(
      s,
      'hello',
      'prod',
      'v3',
      helloVersion({ version: 'v3', errorRate: 1 }),
    );
    const final = await waitForFinal(s, broken.id, 30_000);
    expect(final.phase).toBe('RolledBack');
    expect(final.reason).toMatch(/failed its smoke checks: smoke check 1\/2 \(GET \/\)/);
    await sleep(1_000);

    const result = await l.stop();
    load = undefined;
    expect(result.byVersion['v3']).toBeUndefined();
    expect(result.byVersion['v1']?.responses).toBeGreaterThan(0);
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
  });

  it('never checks instances already serving, and keeps those that passed across a restart', async () => {
    const routePort = await freePort();
    // v1 goes live before smoke checks exist; then the server restarts with a check only v2
    // passes. v1 must keep serving all along: it is not part of the new rollout.
    const bare = await FerryServer.create(helloConfig({ routePort, replicas: 2 }));
    await bare.start();
    server = bare;
    await deployHello(bare, { version: 'v1' });
    await bare.kill('SIGKILL');
    const onlyV2 = `    smoke:\n      - { path: /info, expectBody: '"version":"v2"' }\n`;
    await bare.writeConfig(helloConfig({ routePort, replicas: 2, service: onlyV2 }));
    await bare.start();
    await routeAnswers(routePort);

    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
    const v2 = await startDeploy(bare, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(bare, v2.id)).phase).toBe('Succeeded');
    const during = await load.stop();
    load = undefined;
    expect({ errors: during.errors, non2xx: during.non2xx }).toEqual({ errors: [], non2xx: 0 });

    await bare.kill('SIGKILL');
    await bare.start();
    await routeAnswers(routePort);
    expect(await measuredLoad(routePort)).toEqual({ errors: [], non2xx: 0 });
  });
});

/** Waits until the service's route answers at all (it opens once the server reconciled). */
async function routeAnswers(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/`)
      .then(() => true)
      .catch(() => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`route on ${port} never answered`);
}

/** 3 s of load at 100 requests/s: what went wrong. */
async function measuredLoad(port: number) {
  const load = new ConstantLoad(`http://127.0.0.1:${port}/`, 100).start();
  await sleep(3_000);
  const result = await load.stop();
  return { errors: result.errors, non2xx: result.non2xx };
}
