import { afterEach, describe, expect, it } from 'vitest';
import {
  controllerHarness,
  splitOf,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

/**
 * Template `errors`: three measurements 10s apart, 5% errors at most, 20 requests at least; too
 * few requests for 20s make it Inconclusive.
 */
const errors = (inconclusive = '') => `    analysis:
      errors:
        interval: 10s
        count: 3
        inconclusiveLimit: 0
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 20
${inconclusive}`;

const canaryWithStep = (inconclusive = '') => `    replicas: 2
${errors(inconclusive)}    strategy:
      canary:
        abortScaleDownDelay: 0s
        steps:
          - setWeight: 20
          - analysis: { templates: [errors] }
          - setWeight: 60
          - pause: { duration: 10s }`;

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** v1 live, v2 deployed and standing at its analysis step. */
async function atAnalysisStep(
  metrics: { errorRate?: number; sampleSize?: number } = {},
  inconclusive = '',
): Promise<ControllerHarness> {
  h = await controllerHarness({ service: canaryWithStep(inconclusive) });
  await h.deploy('v1');
  h.world.metrics.set('error_rate', metrics.errorRate ?? 0);
  h.world.metrics.sampleSize = metrics.sampleSize ?? 500;
  await h.deploy('v2');
  return h;
}

describe('analysis verdicts', () => {
  it('a passing analysis step lets the canary go on to the end', async () => {
    const h = await atAnalysisStep();
    expect(h.split()).toEqual({ v1: 80, v2: 20 });
    await h.advance(15_000);
    expect(h.split()).toEqual({ v1: 80, v2: 20 });
    await h.advance(10_000);
    expect(h.split()).toEqual({ v1: 40, v2: 60 });
    await h.advance(11_000);

    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Succeeded' });
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
    const finished = await h.world.stores.events.list({ kindPrefix: 'analysis.finished' });
    expect(finished.map((e) => [e.payload['name'], e.payload['phase']])).toEqual([
      ['step-2', 'Successful'],
    ]);
  });

  it('a Failed verdict aborts the rollout at once and sends traffic back', async () => {
    const h = await atAnalysisStep({ errorRate: 0.3 });

    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toMatch(/^analysis "step-2" Failed: /);
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('an Inconclusive verdict pauses; resume does not get past it, promote does', async () => {
    const h = await atAnalysisStep({ sampleSize: 5 });
    await h.advance(25_000);

    const paused = await h.latest();
    expect(paused.phase).toBe('Paused');
    expect(paused.reason).toMatch(/^analysis "step-2" is Inconclusive/);
    expect(h.split()).toEqual({ v1: 80, v2: 20 });

    await h.act('resume');
    expect((await h.latest()).phase).toBe('Paused');

    await h.act('promote');
    expect(h.split()).toEqual({ v1: 40, v2: 60 });
    await h.advance(11_000);
    expect((await h.latest()).phase).toBe('Succeeded');
  });

  it('promote past an Inconclusive step leaves a later analysis step on: its Failed verdict aborts', async () => {
    h = await controllerHarness({
      service: `    replicas: 2
${errors()}    strategy:
      canary:
        abortScaleDownDelay: 0s
        steps:
          - setWeight: 20
          - analysis: { templates: [errors] }
          - setWeight: 60
          - analysis: { templates: [errors] }
          - pause: { duration: 10s }`,
    });
    await h.deploy('v1');
    h.world.metrics.set('error_rate', 0);
    h.world.metrics.sampleSize = 5;
    await h.deploy('v2');
    await h.advance(25_000);
    const paused = await h.latest();
    expect(paused.phase).toBe('Paused');
    expect(paused.reason).toMatch(/^analysis "step-2" is Inconclusive/);

    // Now there is traffic enough, and v2 fails 30 % of it.
    h.world.metrics.set('error_rate', 0.3);
    h.world.metrics.sampleSize = 500;
    await h.act('promote');
    await h.advance(11_000);

    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toMatch(/^analysis "step-4" Failed: /);
    const mainTables = h.world.router.history().filter((t) => (t.listener ?? 'main') === 'main');
    expect(mainTables.some((t) => splitOf(t)['v2'] === 60)).toBe(true);
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('inconclusive.action abort ends the rollout once inconclusive.timeout has passed', async () => {
    const h = await atAnalysisStep(
      { sampleSize: 5 },
      '    inconclusive: { timeout: 1m, action: abort }\n',
    );
    // The timeout is also how long the run waits for enough requests before it is Inconclusive.
    await h.advance(65_000);
    expect((await h.latest()).phase).toBe('Paused');

    await h.advance(50_000);
    expect((await h.latest()).phase).toBe('Paused');
    await h.advance(15_000);
    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toBe(
      'analysis "step-2" stayed Inconclusive for 1m: aborted (inconclusive.action: abort)',
    );
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('inconclusive.action promote goes on once inconclusive.timeout has passed', async () => {
    const h = await atAnalysisStep(
      { sampleSize: 5 },
      '    inconclusive: { timeout: 1m, action: promote }\n',
    );
    await h.advance(65_000);
    expect((await h.latest()).phase).toBe('Paused');

    await h.advance(65_000);
    expect(h.split()).toEqual({ v1: 40, v2: 60 });
    await h.advance(11_000);
    expect((await h.latest()).phase).toBe('Succeeded');
  });

  it('the timeout never acts on a pause a person made', async () => {
    const h = await atAnalysisStep(
      { sampleSize: 5 },
      '    inconclusive: { timeout: 1m, action: abort }\n',
    );
    await h.act('pause');
    await h.advance(200_000);
    const paused = await h.latest();
    expect(paused.phase).toBe('Paused');
    expect(paused.reason).toContain('user:test');
  });

  it('a first deployment runs no analysis', async () => {
    h = await controllerHarness({ service: canaryWithStep() });
    h.world.metrics.set('error_rate', 0.9);
    await h.deploy('v1');
    await h.advance(30_000);
    expect((await h.latest()).phase).toBe('Succeeded');
    expect(h.world.metrics.taken).toEqual([]);
  });

  it('a blue-green whose preview fails its pre-promotion analysis never switches', async () => {
    h = await controllerHarness({
      service: `    replicas: 2
${errors()}    strategy:
      blueGreen:
        previewRoutes: { prod: 127.0.0.1:18081 }
        autoPromotion: 1s
        scaleDownDelay: 0s
        prePromotionAnalysis: { templates: [errors] }`,
    });
    await h.deploy('v1');
    h.world.metrics.set('error_rate', 0.5);
    await h.deploy('v2');
    await h.advance(30_000);

    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toMatch(/Failed/);
    const mainTables = h.world.router.history().filter((t) => (t.listener ?? 'main') === 'main');
    expect(mainTables.filter((t) => splitOf(t)['v2'] !== undefined)).toEqual([]);
    expect(h.split()).toEqual({ v1: 100 });
  });
});
