import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type {
  MeasureContext,
  MetricProvider,
  ProviderSpec,
  SpecOf,
} from '../features/analysis/metric-provider.js';
import { createRouterMetrics } from '../traffic/router/router-metrics.js';
import { createProviders, ProviderSet } from './create-providers.js';
import { testContext } from './test-context.js';

/** One spec of every kind; none of them is ever reached when the caller has already aborted. */
const specs: readonly ProviderSpec[] = [
  { kind: 'builtin', metric: 'error_rate' },
  { kind: 'prometheus', address: 'http://127.0.0.1:1', query: 'up', timeoutMs: 1_000 },
  { kind: 'web', url: 'http://127.0.0.1:1/', method: 'GET', headers: {}, timeoutMs: 1_000 },
  { kind: 'command', argv: [process.execPath, '-e', 'console.log(1)'], timeoutMs: 10_000 },
];

/** Answers with its own kind, to show where a spec went. */
function named<K extends ProviderSpec['kind']>(kind: K): MetricProvider<SpecOf<K>> {
  return {
    measure: (spec, ctx: MeasureContext) =>
      Promise.resolve({ value: `${kind}:${ctx.version}:${spec.kind}` }),
  };
}

describe('ProviderSet', () => {
  it('sends each spec to the adapter of its kind', async () => {
    const set = new ProviderSet({
      builtin: named('builtin'),
      prometheus: named('prometheus'),
      web: named('web'),
      command: named('command'),
    });
    const values = await Promise.all(specs.map((spec) => set.measure(spec, testContext())));
    expect(values).toEqual([
      { value: 'builtin:v2:builtin' },
      { value: 'prometheus:v2:prometheus' },
      { value: 'web:v2:web' },
      { value: 'command:v2:command' },
    ]);
  });

  it('fills in placeholders before the adapter sees the spec', async () => {
    const seen: ProviderSpec[] = [];
    const record = <K extends ProviderSpec['kind']>(): MetricProvider<SpecOf<K>> => ({
      measure: (spec) => {
        seen.push(spec);
        return Promise.resolve({ value: 1 });
      },
    });
    const set = new ProviderSet({
      builtin: record(),
      prometheus: record(),
      web: record(),
      command: record(),
    });
    const ctx = testContext({ versions: { canary: 'v2', stable: 'v1' } });
    await set.measure(
      {
        kind: 'prometheus',
        address: 'http://127.0.0.1:9090',
        query: 'sum(x{service="{{service}}",version=~"{{version}}|{{stableVersion}}"})',
        timeoutMs: 1_000,
      },
      ctx,
    );
    await set.measure(
      {
        kind: 'web',
        url: 'http://127.0.0.1:1/check?version={{canaryVersion}}',
        method: 'POST',
        headers: { 'x-env': '{{environment}}' },
        body: '{"track":"{{track}}"}',
        timeoutMs: 1_000,
      },
      ctx,
    );
    await set.measure(
      { kind: 'command', argv: ['check', '{{version}}'], env: { V: '{{version}}' }, timeoutMs: 1 },
      ctx,
    );
    expect(seen).toMatchObject([
      { query: 'sum(x{service="web",version=~"v2|v1"})' },
      {
        url: 'http://127.0.0.1:1/check?version=v2',
        headers: { 'x-env': 'prod' },
        body: '{"track":"canary"}',
      },
      { argv: ['check', 'v2'], env: { V: 'v2' } },
    ]);
    await expect(
      set.measure(
        { kind: 'prometheus', address: 'http://x', query: '{{baselineVersion}}', timeoutMs: 1 },
        ctx,
      ),
    ).rejects.toThrow('{{baselineVersion}} has no value in this analysis');
  });

  it('reads the router snapshot for builtin metrics', async () => {
    // Nothing was routed: the router knows no track, which is no data rather than a failure.
    const routerMetrics = createRouterMetrics(new Registry());
    const providers = createProviders({
      routeFigures: (service, environment) => routerMetrics.snapshot(service, environment),
    });
    expect(await providers.measure(specs[0]!, testContext())).toEqual({
      value: null,
      sampleSize: 0,
    });
  });

  it.each(specs.map((spec) => [spec.kind, spec] as const))(
    'rejects a %s measurement with the caller reason once the caller has aborted',
    async (_kind, spec) => {
      const providers = createProviders({ routeFigures: () => ({ tracks: {} }) });
      const controller = new AbortController();
      controller.abort(new Error('rollout aborted'));
      await expect(
        providers.measure(spec, testContext({ signal: controller.signal })),
      ).rejects.toThrow(new Error('rollout aborted'));
    },
  );
});
