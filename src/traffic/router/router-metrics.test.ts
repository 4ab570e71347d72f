import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencyWindow, latencyWindowSize } from './latency-window.js';
import { Router } from './router.js';
import { createRouterMetrics } from './router-metrics.js';
import { durationBuckets } from './version-series.js';
import { deadUpstream, send, sendMany, startUpstream, withVersion } from './test-upstreams.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * Parses Prometheus text exposition (format 0.0.4) strictly enough to catch a malformed line:
 * every line is a `# HELP`/`# TYPE` comment or `name{label="value",...} number`, and every
 * sample belongs to a family declared by a TYPE line before it.
 */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const sampleLine =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type =
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const match = sampleLine.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const [, name, labelText = '', value] = match;
    const family = name!.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(name!) && types.get(family) !== 'histogram') {
      throw new Error(`sample of undeclared family: ${line}`);
    }
    const labels = Object.fromEntries(
      [...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    samples.push({ name: name!, labels, value: Number(value) });
  }
  return samples;
}

describe('Router metrics', () => {
  it('exposes per-track series with version labels, and router errors as version none', async () => {
    const [stable, slow] = await Promise.all([
      startUpstream('stable'),
      startUpstream('canary', (req, res) => {
        req.resume();
        setTimeout(() => res.writeHead(200).end('slow'), 200);
      }),
    ]);
    cleanups.push(
      () => stable.close(),
      () => slow.close(),
    );
    const dead = withVersion(await deadUpstream('dead'), '0.1.0');
    const registry = new Registry();
    const metrics = createRouterMetrics(registry);
    const router = new Router({ metrics });
    cleanups.push(() => router.close());
    const listen = { host: '127.0.0.1', port: 0 };
    await router.apply({
      service: 'web',
      environment: 'test',
      listen,
      backends: { stable: [stable.upstream], canary: [withVersion(slow.upstream, '2.0.0')] },
      canaryWeight: 30,
    });
    await router.apply({
      service: 'api',
      environment: 'test',
      listen,
      backends: { stable: [dead] },
    });
    const web = router.address('web', 'test')?.port ?? 0;
    const api = router.address('api', 'test')?.port ?? 0;

    const responses = await sendMany(web, 400, () => ({}), 40);
    await sendMany(api, 3, (i) => ({ method: 'POST', body: `n=${i}` }));

    const samples = parseExposition(await registry.metrics());
    const requests = (labels: Record<string, string>) =>
      samples.find(
        (s) =>
          s.name === 'ferry_router_requests_total' &&
          Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value ?? 0;
    const canaryCount = responses.filter((r) => r.body.toString() === 'slow').length;

    expect(requests({ service: 'web', version: '1.0.0', track: 'stable', code_class: '2xx' })).toBe(
      400 - canaryCount,
    );
    expect(requests({ service: 'web', version: '2.0.0', track: 'canary', code_class: '2xx' })).toBe(
      canaryCount,
    );
    expect(requests({ service: 'api', version: 'none', track: 'stable', code_class: '5xx' })).toBe(
      3,
    );
    const buckets = samples.filter(
      (s) =>
        s.name === 'ferry_router_request_duration_seconds_bucket' && s.labels.track === 'canary',
    );
    expect(buckets.map((s) => s.labels.le)).toEqual([...durationBuckets.map(String), '+Inf']);
    expect(buckets.find((s) => s.labels.le === '0.1')?.value).toBe(0);
    expect(buckets.find((s) => s.labels.le === '10')?.value).toBe(canaryCount);
    expect(buckets.at(-1)?.value).toBe(canaryCount);

    const snapshot = metrics.snapshot('web', 'test');
    expect(snapshot.tracks.canary).toMatchObject({
      version: '2.0.0',
      requests: canaryCount,
      errors5xx: 0,
    });
    expect(snapshot.tracks.canary?.p99Ms).toBeGreaterThanOrEqual(200);
    expect(snapshot.tracks.canary?.p50Ms).toBeGreaterThanOrEqual(200);
    expect(snapshot.tracks.stable?.p50Ms).toBeLessThan(200);
    expect(metrics.snapshot('api', 'test').tracks.stable).toMatchObject({
      version: '0.1.0',
      requests: 3,
      errors5xx: 3,
    });
  });

  it('keeps its figures apart per listener in snapshots', async () => {
    const app = await startUpstream('app');
    cleanups.push(() => app.close());
    const metrics = createRouterMetrics(new Registry());
    const router = new Router({ metrics });
    cleanups.push(() => router.close());
    const table = {
      service: 'web',
      environment: 'test',
      listen: { host: '127.0.0.1', port: 0 },
      backends: { stable: [app.upstream] },
    };
    await router.apply(table);
    await router.apply({ ...table, listener: 'preview' });

    await sendMany(router.address('web', 'test', 'preview')?.port ?? 0, 5);

    expect(metrics.snapshot('web', 'test').tracks).toEqual({});
    expect(metrics.snapshot('web', 'test', 'preview').tracks.stable?.requests).toBe(5);
  });

  it('counts the requests each canary match routed, and mirrored copies sent, skipped and failed', async () => {
    const [stable, canary] = await Promise.all([startUpstream('stable'), startUpstream('canary')]);
    cleanups.push(
      () => stable.close(),
      () => canary.close(),
    );
    const dead = withVersion(await deadUpstream('dead'), '3.0.0');
    const registry = new Registry();
    const metrics = createRouterMetrics(registry);
    const router = new Router({ metrics });
    cleanups.push(() => router.close());
    const listen = { host: '127.0.0.1', port: 0 };
    const mirroring = { canaryWeight: 0, mirrorPercent: 100 };
    await router.apply({
      service: 'web',
      environment: 'test',
      listen,
      backends: { stable: [stable.upstream], canary: [withVersion(canary.upstream, '2.0.0')] },
      ...mirroring,
      canaryMatches: [
        { source: 'header', name: 'x-canary', kind: 'exact', value: 'yes' },
        { source: 'cookie', name: 'beta', kind: 'exact', value: 'on' },
      ],
    });
    // The canary of `api` refuses connections: every copy to it fails.
    await router.apply({
      service: 'api',
      environment: 'test',
      listen,
      backends: { stable: [stable.upstream], canary: [dead] },
      ...mirroring,
    });
    const web = router.address('web', 'test')?.port ?? 0;
    const api = router.address('api', 'test')?.port ?? 0;

    await sendMany(web, 10); // each copied
    await sendMany(web, 3, () => ({ headers: ['Host', 'web', 'X-Canary', 'yes'] }));
    await sendMany(web, 2, () => ({ headers: ['Host', 'web', 'Cookie', 'beta=on'] }));
    const chunked = Readable.from([Buffer.from('a'), Buffer.from('b')]); // not copied
    expect((await send(web, { method: 'PUT', body: chunked })).status).toBe(200);
    await sendMany(api, 4);

    await expect
      .poll(() => metrics.snapshot('api', 'test').mirror)
      .toEqual({ sent: 4, skipped: 0, failed: 4 });
    await expect
      .poll(() => metrics.snapshot('web', 'test').mirror)
      .toEqual({ sent: 10, skipped: 1, failed: 0 });
    expect(metrics.snapshot('web', 'test').tracks.canary).toMatchObject({
      version: '2.0.0',
      requests: 5,
      headerMatches: 3,
      cookieMatches: 2,
    });
    expect(metrics.snapshot('web', 'test').tracks.stable).toMatchObject({
      requests: 11,
      headerMatches: 0,
      cookieMatches: 0,
    });
    const samples = parseExposition(await registry.metrics());
    const value = (name: string, labels: Record<string, string>) =>
      samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    const matched = 'ferry_router_matched_requests_total';
    expect(value(matched, { service: 'web', track: 'canary', source: 'header' })).toBe(3);
    expect(value(matched, { service: 'web', version: '2.0.0', source: 'cookie' })).toBe(2);
    expect(value('ferry_router_mirror_sent_total', { service: 'web' })).toBe(10);
    expect(value('ferry_router_mirror_failed_total', { service: 'api' })).toBe(4);
    expect(value('ferry_router_mirror_skipped_total', { service: 'web', reason: 'body' })).toBe(1);
  });
});

describe('LatencyWindow', () => {
  it('reads percentiles from the last samples only once it wrapped', () => {
    const window = new LatencyWindow('1.0.0');
    for (let i = 0; i < latencyWindowSize; i++) window.add(1_000, 500);
    for (let i = 1; i <= latencyWindowSize; i++) window.add(i, 200);

    expect(window.percentiles([0.5, 0.99, 1])).toEqual([1_024, 2_028, 2_048]);
    expect(window.requests).toBe(2 * latencyWindowSize);
    expect(window.errors5xx).toBe(latencyWindowSize);
  });
});
