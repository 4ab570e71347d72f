import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { act, getRollout, shareOver, waitForPhase } from '../support/rollout.js';

interface DeploymentBody {
  id: string;
  phase: string;
  reason: string | null;
}

/** Builtin error rate of the canary, measured every second from the moment it gets traffic. */
const errorsTemplate = (failureLimit: number) => `    analysis:
      errors:
        interval: 1s
        initialDelay: 1s
        failureLimit: ${failureLimit}
        inconclusiveLimit: 5
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 5
`;

describe('analysis during rollouts', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  async function start(options: { strategy: string; service: string; replicas?: number }) {
    const routePort = await freePort();
    const s = await FerryServer.create(
      helloConfig({ routePort, replicas: options.replicas ?? 2, ...options }),
    );
    await s.start();
    server = s;
    await deployHello(s, { version: 'v1' });
    return { server: s, routePort };
  }

  it('aborts a canary answering 30% 5xx at 10% within interval × failureLimit + 2s of its first request', async () => {
    const interval = 1_000;
    const failureLimit = 1;
    const { server: s, routePort } = await start({
      service: errorsTemplate(failureLimit),
      strategy: `      canary:
        abortScaleDownDelay: 1s
        analysis: { templates: [errors], startingStep: 1 }
        steps:
          - setWeight: 10
          - pause: { duration: 60s }
`,
    });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const v2 = await startDeploy(
      s,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', errorRate: 0.3 }),
    );
    const aborted = await waitForPhase(s, 'Aborted', undefined, 60_000);
    expect(aborted.deployment?.id).toBe(v2.id);
    expect(aborted.deployment?.reason).toMatch(/^analysis "background" Failed: errors\/error-rate/);

    // In-flight requests settle, then nothing more reaches the canary.
    await shareOver(load, 'v2', 500);
    const after = await shareOver(load, 'v2', 2_000);
    expect(after.total).toBeGreaterThan(100);
    expect(after.share).toBe(0);
    const canary = load.byVersion()['v2']!;
    expect(canary.failed).toBeGreaterThan(0);
    expect(canary.lastAt - canary.firstAt).toBeLessThanOrEqual(interval * failureLimit + 2_000);

    const rollout = await s.get<{ analysis?: { name: string; phase: string }[] }>(
      '/api/v1/rollouts/hello/prod',
    );
    expect(rollout.analysis?.map((r) => [r.name, r.phase])).toEqual([['background', 'Failed']]);

    // The deployment's timeline has the verdict and the abort it caused.
    const timeline = await s.get<{ events: { kind: string; payload: { phase?: string } }[] }>(
      `/api/v1/events?subject=deployment/${v2.id}`,
    );
    expect(timeline.events.filter((e) => e.kind === 'analysis.finished')).toMatchObject([
      { payload: { phase: 'Failed' } },
    ]);
    expect(timeline.events.map((e) => e.kind)).toContain('deployment.aborted');
  });

  it('passes a healthy version through a latency p99 analysis step and fails one 200 ms slower', async () => {
    const { server: s, routePort } = await start({
      service: `    analysis:
      latency:
        interval: 1s
        initialDelay: 1s
        count: 3
        inconclusiveLimit: 3
        metrics:
          - name: p99
            provider: { builtin: { metric: latency_p99 } }
            max: 190
            minSampleSize: 5
`,
      strategy: `      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 50
          - analysis: { templates: [latency] }
`,
    });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();

    const healthy = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(s, healthy.id)).phase).toBe('Succeeded');

    const slow = await startDeploy(
      s,
      'hello',
      'prod',
      'v3',
      helloVersion({ version: 'v3', latencyMs: 200 }),
    );
    const aborted = await waitForPhase(s, 'Aborted', undefined, 60_000);
    expect(aborted.deployment?.id).toBe(slow.id);
    expect(aborted.deployment?.reason).toMatch(
      /^analysis "step-2" Failed: latency\/p99: .* above max 190/,
    );
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
  });

  it('pauses on too little traffic (Inconclusive), never passes, and goes on when promoted', async () => {
    const { server: s } = await start({
      service: `    analysis:
      errors:
        interval: 500ms
        count: 3
        inconclusiveLimit: 5
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 20
`,
      strategy: `      canary:
        steps:
          - setWeight: 20
          - analysis: { templates: [errors] }
`,
    });
    // No load at all: every measurement has too few requests to decide anything.
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    const paused = await waitForPhase(s, 'Paused', undefined, 60_000);
    expect(paused.deployment?.reason).toMatch(
      /^analysis "step-2" is Inconclusive \(errors\/error-rate: no measurement succeeded/,
    );
    const rollout = await getRollout(s);
    expect(rollout.traffic?.canaryWeight).toBe(20);
    const runs = await s.get<{ analysis?: { name: string; phase: string }[] }>(
      '/api/v1/rollouts/hello/prod',
    );
    expect(runs.analysis?.map((r) => [r.name, r.phase])).toEqual([['step-2', 'Inconclusive']]);

    // `resume` does not get past an Inconclusive verdict; `promote` does, and says who did.
    await act(s, 'resume');
    await waitForPhase(s, 'Paused', undefined, 10_000);
    await act(s, 'promote');
    const done = await waitForFinal(s, v2.id);
    expect(done.phase).toBe('Succeeded');
    const final = await s.get<{ runs: { name: string; phase: string; overriddenBy: string }[] }>(
      `/api/v1/deployments/${v2.id}/analysis`,
    );
    expect(final.runs.map((r) => [r.name, r.phase, r.overriddenBy])).toEqual([
      ['step-2', 'Inconclusive', 'local'],
    ]);
  });

  it('one promote goes past both an open pause and an Inconclusive background verdict, which measures again', async () => {
    const { server: s, routePort } = await start({
      service: `    analysis:
      errors:
        interval: 300ms
        count: 2
        inconclusiveLimit: 5
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 20
`,
      strategy: `      canary:
        analysis: { templates: [errors], startingStep: 1 }
        steps:
          - setWeight: 20
          - pause: {}
`,
    });
    // No traffic: the background run ends Inconclusive while the rollout waits at the pause.
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(s, 'Paused', 1, 30_000);
    await eventually(async () => {
      const { runs } = await s.get<{ runs: { phase: string }[] }>(
        `/api/v1/deployments/${v2.id}/analysis`,
      );
      return runs[0]?.phase === 'Inconclusive' ? true : undefined;
    });
    // Traffic from now on: the fresh background run the promote leaves going has enough to judge.
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
    await act(s, 'promote');
    expect((await waitForFinal(s, v2.id)).phase).toBe('Succeeded');
    const { runs } = await s.get<{ runs: { name: string; overriddenBy: string | null }[] }>(
      `/api/v1/deployments/${v2.id}/analysis`,
    );
    expect(runs.map((r) => [r.name, r.overriddenBy])).toEqual([
      ['background', 'local'],
      ['background', null],
    ]);
  });

  it('takes inconclusive.action once inconclusive.timeout has passed', async () => {
    const { server: s } = await start({
      service: `    analysis:
      errors:
        interval: 300ms
        count: 2
        inconclusiveLimit: 5
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 20
    inconclusive: { timeout: 2s, action: abort }
`,
      strategy: `      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 20
          - analysis: { templates: [errors] }
`,
    });
    // No traffic: Inconclusive, paused, and after 2 s aborted by the controller.
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(s, 'Paused', undefined, 30_000);
    const aborted = await waitForPhase(s, 'Aborted', undefined, 30_000);
    expect(aborted.deployment?.id).toBe(v2.id);
    expect(aborted.deployment?.reason).toBe(
      'analysis "step-2" stayed Inconclusive for 2s: aborted (inconclusive.action: abort)',
    );
  });

  it('starts an analysis step again after the server was killed during it, and finishes', async () => {
    const { server: s, routePort } = await start({
      service: `    analysis:
      errors:
        interval: 500ms
        initialDelay: 500ms
        count: 6
        inconclusiveLimit: 3
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 5
`,
      strategy: `      canary:
        steps:
          - setWeight: 50
          - analysis: { templates: [errors] }
`,
    });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
    const v2 = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    // Killed once the step's run has measured something, before it could finish.
    await eventually(async () => {
      const { runs } = await s.get<{ runs: { metrics: { measurements: unknown[] }[] }[] }>(
        `/api/v1/deployments/${v2.id}/analysis`,
      );
      return (runs[0]?.metrics[0]?.measurements.length ?? 0) >= 1 ? true : undefined;
    });
    await s.kill('SIGKILL');
    await s.start();
    const done = await waitForFinal(s, v2.id);
    expect(done.phase).toBe('Succeeded');
    const { runs } = await s.get<{ runs: { name: string; phase: string; message: string }[] }>(
      `/api/v1/deployments/${v2.id}/analysis`,
    );
    expect(runs.map((r) => r.name)).toEqual(['step-2', 'step-2']);
    expect(runs[0]?.message).toMatch(/^interrupted: Ferry stopped before a verdict/);
    expect(runs[1]?.phase).toBe('Successful');
    const result = await load.stop();
    load = undefined;
    expect(result.non2xx).toBe(0);
  });

  it('checks a rolling update once rolled out: passes a healthy one, rolls a bad one back', async () => {
    const { server: s, routePort } = await start({
      service: errorsTemplate(0).replace(
        'inconclusiveLimit: 5',
        'inconclusiveLimit: 5\n        count: 3',
      ),
      strategy: `      rolling: { maxSurge: 1, maxUnavailable: 0, postDeployAnalysis: { templates: [errors] } }
`,
    });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
    const good = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(s, good.id)).phase).toBe('Succeeded');
    const checked = await s.get<{ runs: { name: string; phase: string }[] }>(
      `/api/v1/deployments/${good.id}/analysis`,
    );
    expect(checked.runs.map((r) => [r.name, r.phase])).toEqual([['post-deploy', 'Successful']]);

    const bad = await startDeploy(
      s,
      'hello',
      'prod',
      'v3',
      helloVersion({ version: 'v3', errorRate: 0.5 }),
    );
    const final = await waitForFinal(s, bad.id);
    expect(final.phase).toBe('RolledBack');
    expect((final as DeploymentBody).reason).toMatch(/^analysis "post-deploy" Failed/);
    await eventually(async () =>
      (await shareOver(load!, 'v2', 1_000)).share === 1 ? true : undefined,
    );
  });
});
