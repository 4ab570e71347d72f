import { afterEach, describe, expect, it } from 'vitest';
import { context, harness, template, type Harness } from './analysis-test-kit.js';
import {
  ProviderError,
  type MeasureContext,
  type MetricProvider,
  type ProviderResult,
  type ProviderSpec,
} from './metric-provider.js';

/** Answers each call with the next scripted answer (the last one repeats); records every call. */
class ScriptedProvider implements MetricProvider {
  readonly calls: { spec: ProviderSpec; ctx: MeasureContext }[] = [];
  constructor(
    private readonly script: (spec: ProviderSpec, call: number) => ProviderResult | Error | 'hang',
  ) {}

  measure(spec: ProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
    const answer = this.script(spec, this.calls.filter((c) => c.spec === spec).length);
    this.calls.push({ spec, ctx });
    if (answer === 'hang') {
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      });
    }
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

const always = (value: unknown, sampleSize = 500) =>
  new ScriptedProvider(() => ({ value, sampleSize }));

let h: Harness;
afterEach(async () => {
  await h.dispose();
});

describe('AnalysisRunner', () => {
  it('fails at the first bad value with failureLimit 0, records it and stops measuring', async () => {
    const provider = always(0.3);
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-2',
      templates: [template('errors')],
      context,
    });
    await h.advance(0);

    const message =
      'errors/errors: 1 failed, more than failureLimit 0; last: 0.3 is above max 0.01';
    expect(h.finished).toEqual([[runId, 'Failed', message]]);
    expect(await h.store.listMeasurements(runId)).toEqual([
      {
        id: 1,
        runId,
        metric: 'errors/errors',
        phase: 'Failed',
        value: 0.3,
        message: '0.3 is above max 0.01',
        sampleSize: 500,
        step: null,
        at: '2025-06-01T12:00:00.000Z',
      },
    ]);
    expect(await h.store.listRuns('dep-1')).toMatchObject([
      {
        id: runId,
        name: 'step-2',
        phase: 'Failed',
        message,
        finishedAt: '2025-06-01T12:00:00.000Z',
      },
    ]);
    expect(provider.calls[0]?.ctx).toMatchObject({
      ...context,
      now: Date.parse('2025-06-01T12:00:00Z'),
    });

    await h.advance(60_000);
    expect(provider.calls).toHaveLength(1);
    expect(h.scheduler.pending).toBe(0);
    expect(h.finished).toHaveLength(1);
  });

  it('tolerates failureLimit failures and fails at the next one', async () => {
    h = await harness(always(0.3));
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'background',
      templates: [template('errors', { failureLimit: 2, initialDelayMs: 5_000 })],
      context,
    });
    await h.advance(4_999);
    expect(await h.store.listMeasurements(runId)).toHaveLength(0);
    await h.advance(1);
    await h.advance(10_000);
    expect(h.finished).toEqual([]);
    expect((await h.runner.status(runId))?.metrics[0]).toMatchObject({
      phase: 'Running',
      failed: 2,
    });
    await h.advance(10_000);
    expect(h.finished).toEqual([
      [
        runId,
        'Failed',
        expect.stringMatching(/^errors\/errors: 3 failed, more than failureLimit 2;/),
      ],
    ]);
    const times = (await h.store.listMeasurements(runId)).map((m) => m.at);
    expect(times).toEqual([
      '2025-06-01T12:00:05.000Z',
      '2025-06-01T12:00:15.000Z',
      '2025-06-01T12:00:25.000Z',
    ]);
  });

  it('succeeds once every metric has taken count good measurements', async () => {
    const provider = always(0.001);
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-1',
      templates: [template('errors', { count: 3 })],
      context,
    });
    await h.advance(20_000);
    expect(h.finished).toEqual([[runId, 'Successful', 'errors/errors: 3 of 3 measurements taken']]);
    const status = await h.runner.status(runId);
    expect(status).toMatchObject({ phase: 'Successful', finished: true });
    expect(status?.metrics[0]).toMatchObject({ count: 3, successful: 3, failed: 0 });
    await h.advance(60_000);
    expect(provider.calls).toHaveLength(3);
  });

  it('is Inconclusive, not Successful, when samples stay too few past the wait', async () => {
    const provider = always(0.001, 20);
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-1',
      templates: [template('errors', { count: 3, inconclusiveLimit: 1 }, { minSampleSize: 100 })],
      context,
    });
    // The default wait: interval × (inconclusiveLimit + 2) = 30 s, measuring again each interval.
    await h.advance(29_999);
    expect(h.finished).toEqual([]);
    expect(provider.calls).toHaveLength(3);
    expect(provider.calls[0]?.ctx.minSampleSize).toBe(100);
    expect(await h.store.listMeasurements(runId)).toEqual([]);
    await h.advance(10_001);
    expect(h.finished).toEqual([
      [
        runId,
        'Inconclusive',
        'errors/errors: 2 inconclusive, more than inconclusiveLimit 1; last: 20 samples, fewer than the 100 needed',
      ],
    ]);
    expect((await h.store.listMeasurements(runId)).map((m) => [m.phase, m.at])).toEqual([
      ['Inconclusive', '2025-06-01T12:00:30.000Z'],
      ['Inconclusive', '2025-06-01T12:00:40.000Z'],
    ]);
  });

  it('takes a measurement with too few samples again instead of counting it as Inconclusive', async () => {
    // 4 samples against minSampleSize 5 at first, as with a canary that just got its traffic.
    const provider = new ScriptedProvider((_, call) => ({
      value: 0.001,
      sampleSize: call === 0 ? 4 : 9,
    }));
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-1',
      templates: [template('errors', { count: 1, initialDelayMs: 1_000 }, { minSampleSize: 5 })],
      context,
    });
    await h.advance(1_000);
    expect(h.finished).toEqual([]);
    expect(await h.store.listMeasurements(runId)).toEqual([]);
    await h.advance(10_000);
    expect(h.finished).toEqual([[runId, 'Successful', 'errors/errors: 1 of 1 measurements taken']]);
    expect((await h.store.listMeasurements(runId)).map((m) => [m.phase, m.sampleSize])).toEqual([
      ['Successful', 9],
    ]);
  });

  it('waits again at a later dip in traffic; samples too few for the whole wait count at once', async () => {
    const sizes = [50, 3, 3, 50, 3, 3, 3, 3];
    const provider = new ScriptedProvider((_, call) => ({
      value: 0,
      sampleSize: sizes[call] ?? 3,
    }));
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'background',
      templates: [template('errors', { inconclusiveLimit: 1 }, { minSampleSize: 5 })],
      context,
    });
    // Default wait: 10 s × (1 + 2) = 30 s from the first thin measurement of a dip.
    await h.advance(70_000);
    expect(h.finished).toEqual([]);
    await h.advance(10_000);
    expect(h.finished).toEqual([
      [
        runId,
        'Inconclusive',
        'errors/errors: 2 inconclusive, more than inconclusiveLimit 1; last: 3 samples, fewer than the 5 needed',
      ],
    ]);
    const taken = (await h.store.listMeasurements(runId)).map((m) => [m.phase, m.at.slice(11, 19)]);
    expect(taken).toEqual([
      ['Successful', '12:00:00'],
      ['Successful', '12:00:30'],
      ['Inconclusive', '12:01:10'],
      ['Inconclusive', '12:01:20'],
    ]);
  });

  it('keeps waiting for samples through a provider error', async () => {
    const answers = [{ value: 0, sampleSize: 3 }, new ProviderError('router restarting')];
    const provider = new ScriptedProvider(
      (_, call) => answers[call] ?? { value: 0, sampleSize: 3 },
    );
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'background',
      templates: [template('errors', {}, { minSampleSize: 5 })],
      context,
    });
    // Thin since 0 s, an error at 10 s: the 20 s wait still ends at 20 s, where the thin one counts.
    await h.advance(20_000);
    expect(h.finished).toEqual([
      [
        runId,
        'Inconclusive',
        'errors/errors: 1 inconclusive, more than inconclusiveLimit 0; last: 3 samples, fewer than the 5 needed',
      ],
    ]);
    expect((await h.store.listMeasurements(runId)).map((m) => m.phase)).toEqual([
      'Error',
      'Inconclusive',
    ]);
  });

  it('still fails at once on a bad value with enough samples while waiting', async () => {
    const provider = new ScriptedProvider((_, call) =>
      call === 0 ? { value: 0, sampleSize: 2 } : { value: 0.3, sampleSize: 50 },
    );
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'background',
      templates: [template('errors', {}, { minSampleSize: 5 })],
      context,
      sampleWaitMs: 600_000,
    });
    await h.advance(10_000);
    expect(h.finished).toEqual([
      [
        runId,
        'Failed',
        'errors/errors: 1 failed, more than failureLimit 0; last: 0.3 is above max 0.01',
      ],
    ]);
  });

  it('waits for samples until a timed step ends; then the waiting one counts, never as a pass', async () => {
    const provider = always(0, 3);
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-2',
      templates: [template('errors', { inconclusiveLimit: 5 }, { minSampleSize: 5 })],
      context,
      sampleWaitMs: 60_000,
    });
    await h.advance(55_000);
    expect(provider.calls).toHaveLength(6);
    expect(await h.store.listMeasurements(runId)).toEqual([]);
    expect(await h.runner.stop(runId, { terminating: true })).toBe('Inconclusive');
    expect(h.finished).toEqual([
      [
        runId,
        'Inconclusive',
        'errors/errors: no measurement succeeded (1 inconclusive, 0 failed, 0 errors)',
      ],
    ]);
    expect((await h.store.listMeasurements(runId)).map((m) => [m.phase, m.message])).toEqual([
      ['Inconclusive', '3 samples, fewer than the 5 needed'],
    ]);
  });

  it('turns ProviderErrors into Error measurements and errs past consecutiveErrorLimit', async () => {
    const provider = new ScriptedProvider(
      () => new ProviderError('prometheus: connection refused'),
    );
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-1',
      templates: [template('errors', { count: 3 })],
      context,
    });
    await h.advance(30_000);
    expect(h.finished).toEqual([]);
    await h.advance(10_000);
    expect(h.finished).toEqual([
      [
        runId,
        'Error',
        'errors/errors: 5 errors in a row, more than consecutiveErrorLimit 4; last: prometheus: connection refused',
      ],
    ]);
    const measurements = await h.store.listMeasurements(runId);
    expect(measurements).toHaveLength(5);
    expect(measurements[4]).toMatchObject({
      phase: 'Error',
      value: null,
      message: 'prometheus: connection refused',
      sampleSize: null,
    });
  });

  it('never lets a dryRun metric decide the run, but records it', async () => {
    const provider = new ScriptedProvider((spec) => ({
      value: spec.kind === 'builtin' && spec.metric === 'latency_p99' ? 900 : 0.001,
      sampleSize: 500,
    }));
    h = await harness(provider);
    const latency = template(
      'latency',
      { count: 2 },
      { provider: { kind: 'builtin', metric: 'latency_p99' }, max: 250, dryRun: true },
    );
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-1',
      templates: [template('errors', { count: 2 }), latency],
      context,
    });
    await h.advance(10_000);
    expect(h.finished).toEqual([[runId, 'Successful', 'errors/errors: 2 of 2 measurements taken']]);
    const measurements = await h.store.listMeasurements(runId);
    expect(measurements.filter((m) => m.metric === 'latency/latency')).toMatchObject([
      { phase: 'Failed', value: 900, message: '900 is above max 250' },
    ]);
    expect((await h.runner.status(runId))?.dryRun[0]).toMatchObject({
      phase: 'Failed',
      dryRun: true,
    });
  });

  it('succeeds on stop(terminating) when a metric without count never failed', async () => {
    const provider = always(0.001);
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-1',
      templates: [template('errors', { failureLimit: 1 })],
      context,
    });
    await h.advance(600_000);
    expect(h.finished).toEqual([]);
    expect(provider.calls).toHaveLength(61);

    expect(await h.runner.stop(runId, { terminating: true })).toBe('Successful');
    expect(h.finished).toEqual([
      [runId, 'Successful', 'errors/errors: run terminated before the metric settled'],
    ]);
    expect(h.scheduler.pending).toBe(0);
    await h.advance(60_000);
    expect(provider.calls).toHaveLength(61);
    expect(await h.runner.stop(runId, { terminating: true })).toBeUndefined();
  });

  it('records a timeout as an Error measurement', async () => {
    const provider = new ScriptedProvider((_, call) =>
      call === 0 ? 'hang' : { value: 0, sampleSize: 500 },
    );
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-1',
      templates: [template('errors', { count: 1 })],
      context,
    });
    await h.advance(10_000);
    expect(provider.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(await h.store.listMeasurements(runId)).toMatchObject([
      { phase: 'Error', message: 'timed out after 10s', at: '2025-06-01T12:00:10.000Z' },
    ]);
    await h.advance(10_000);
    expect(h.finished).toEqual([[runId, 'Successful', 'errors/errors: 1 of 1 measurements taken']]);
  });

  it('abandons a run on stop without terminating: aborts the call, records nothing more', async () => {
    const provider = new ScriptedProvider(() => 'hang');
    h = await harness(provider);
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'background',
      templates: [template('errors')],
      context,
    });
    await h.advance(0);
    expect(await h.runner.stop(runId, { terminating: false })).toBe('Running');
    await h.runner.settle();
    expect(provider.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(h.finished).toEqual([]);
    expect(await h.store.listMeasurements(runId)).toEqual([]);
    expect(await h.runner.status(runId)).toMatchObject({
      phase: 'Running',
      message: 'stopped before a verdict',
      finished: true,
    });
    expect(h.scheduler.pending).toBe(0);
  });
});
