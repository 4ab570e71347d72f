import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { act, getRollout, shareOver, waitForPhase, type RolloutBody } from '../support/rollout.js';

interface RunBody {
  name: string;
  phase: string;
  overriddenBy: string | null;
  metrics: { measurements: { sampleSize: number | null }[] }[];
}

interface EventBody {
  kind: string;
}

const finalPhases = ['Succeeded', 'Aborted', 'Failed', 'RolledBack'];

/** These tests restart servers and wait on analysis: generous, for a loaded machine. */
const slow = 120_000;

describe('rollout safety', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  async function start(options: { strategy: string; service?: string }) {
    const routePort = await freePort();
    const s = await FerryServer.create(helloConfig({ routePort, replicas: 2, ...options }));
    await s.start();
    server = s;
    await deployHello(s, { version: 'v1' });
    return { server: s, routePort };
  }

  const runsOf = async (s: FerryServer, id: string) =>
    (await s.get<{ runs: RunBody[] }>(`/api/v1/deployments/${id}/analysis`)).runs;

  it(
    'still aborts a 30%-failing canary by analysis after a promote past its Inconclusive pause',
    async () => {
      const { server: s, routePort } = await start({
        service: `    analysis:
      errors:
        interval: 500ms
        initialDelay: 500ms
        count: 6
        failureLimit: 1
        inconclusiveLimit: 1
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 20
`,
        strategy: `      canary:
        abortScaleDownDelay: 1s
        analysis: { templates: [errors], startingStep: 1 }
        steps:
          - setWeight: 1
          - analysis: { templates: [errors] }
          - setWeight: 30
          - pause: { duration: 20s }
`,
      });
      load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
      const v2 = await startDeploy(
        s,
        'hello',
        'prod',
        'v2',
        helloVersion({ version: 'v2', errorRate: 0.3 }),
      );
      // At 1 % the canary gets about one request a second: too little to judge, for both runs.
      const paused = await waitForPhase(s, 'Paused', 1, 60_000);
      expect(paused.deployment?.reason).toMatch(/^analysis "(step-2|background)" is Inconclusive/);
      await eventually(
        async () => {
          const runs = await runsOf(s, v2.id);
          return runs.length === 2 && runs.every((r) => r.phase === 'Inconclusive')
            ? runs
            : undefined;
        },
        30_000,
        'both runs Inconclusive',
      );

      await act(s, 'promote');
      const final = await waitForFinal(s, v2.id, 60_000);
      expect(final.phase).toBe('Aborted');
      expect(final.reason).toMatch(/^analysis "background" Failed: errors\/error-rate/);

      const runs = await runsOf(s, v2.id);
      expect(runs.map((r) => [r.name, r.phase, r.overriddenBy])).toEqual(
        expect.arrayContaining([
          ['step-2', 'Inconclusive', 'local'],
          ['background', 'Inconclusive', 'local'],
          ['background', 'Failed', null],
        ]),
      );
      expect(runs).toHaveLength(3);

      // Traffic left the canary: in-flight requests settle, then v2 answers nothing more.
      await shareOver(load, 'v2', 500);
      const after = await shareOver(load, 'v2', 2_000);
      expect(after.total).toBeGreaterThan(50);
      expect(after.share).toBe(0);
    },
    slow,
  );

  it(
    'does not pause a healthy canary whose first measurements have too few samples',
    async () => {
      const { server: s, routePort } = await start({
        service: `    analysis:
      errors:
        interval: 1s
        initialDelay: 1s
        count: 3
        inconclusiveLimit: 2
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 10
`,
        strategy: `      canary:
        steps:
          - setWeight: 20
          - analysis: { templates: [errors] }
`,
      });
      // About 4 requests a second reach the canary: each interval alone has fewer than 10.
      load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 20).start();
      const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
      const settled = await eventually(
        async () => {
          const d = await s.get<{ phase: string; reason: string | null }>(
            `/api/v1/deployments/${v2.id}`,
          );
          return d.phase === 'Paused' || finalPhases.includes(d.phase) ? d : undefined;
        },
        60_000,
        'the rollout to pause or end',
      );
      expect(settled).toMatchObject({ phase: 'Succeeded' });

      const { events } = await s.get<{ events: EventBody[] }>(
        `/api/v1/events?subject=deployment/${v2.id}`,
      );
      expect(events.map((e) => e.kind)).not.toContain('rollout.paused');
      const [run] = await runsOf(s, v2.id);
      expect(run).toMatchObject({ name: 'step-2', phase: 'Successful' });
      const sizes = run!.metrics[0]!.measurements.map((m) => m.sampleSize ?? 0);
      expect(sizes.length).toBeGreaterThanOrEqual(1);
      expect(sizes.every((n) => n >= 10)).toBe(true);
    },
    slow,
  );

  it(
    'keeps the time a timed pause had left when the server was down for longer than the pause',
    async () => {
      const { server: s } = await start({
        strategy: `      canary:
        steps:
          - setWeight: 20
          - pause: { duration: 12s }
`,
      });
      const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
      await waitForPhase(s, 'Progressing', 1, 30_000);
      await sleep(3_000);
      await s.kill('SIGKILL');
      await sleep(15_000); // longer than the whole pause
      await s.start();
      const restartedAt = Date.now();

      // With about 9 s of the pause left, the canary stays at step 2 and 20 % for a while.
      const seen: RolloutBody[] = [];
      while (Date.now() < restartedAt + 4_000) {
        seen.push(await getRollout(s));
        await sleep(250);
      }
      for (const rollout of seen) {
        expect(rollout.deployment?.phase).toBe('Progressing');
        expect(rollout.steps.find((step) => step.state === 'current')?.index).toBe(1);
        expect(rollout.traffic?.canaryWeight).toBe(20);
      }
      const final = await waitForFinal(s, v2.id, 60_000);
      expect(final.phase).toBe('Succeeded');
      expect(Date.now() - restartedAt).toBeGreaterThan(5_000);
    },
    slow,
  );
});
