import { Registry } from 'prom-client';
import { Router } from '../../traffic/router/router.js';
import { createRouterMetrics } from '../../traffic/router/router-metrics.js';
import { send, startUpstream, withVersion } from '../../traffic/router/test-upstreams.js';
import { FakeTrafficSampler } from './fake-traffic-sampler.js';
import type { RoutingTable, Upstream } from './traffic-router.js';
import {
  describeTrafficSamplerContract,
  sampledVersions,
  type SamplerHarness,
} from './traffic-sampler.contract.js';

describeTrafficSamplerContract('in-memory fake', async (): Promise<SamplerHarness> => {
  const sampler = new FakeTrafficSampler();
  return {
    sampler,
    async serve(where, track, statuses) {
      for (const status of statuses) {
        const response = { version: sampledVersions[track], status, latencyMs: 1 };
        sampler.respond(where.service, where.environment, track, response, where.listener);
      }
    },
    close: async () => {},
  };
});

describeTrafficSamplerContract('router metrics', async (): Promise<SamplerHarness> => {
  const metrics = createRouterMetrics(new Registry());
  const router = new Router({ metrics, closeGraceMs: 100 });
  /** Answers the status its path names: `/status/503`. */
  const started = await Promise.all(
    (['stable', 'baseline', 'canary'] as const).map((track) =>
      startUpstream(track, (req, res) => {
        req.resume();
        res.writeHead(Number(req.url?.split('/')[2] ?? 200)).end();
      }),
    ),
  );
  const [stable, baseline, canary] = started.map((s, i) =>
    withVersion(s.upstream, Object.values(sampledVersions)[i]!),
  ) as [Upstream, Upstream, Upstream];
  return {
    sampler: metrics,
    async serve(where, track, statuses) {
      // Everything not matched goes to the baseline at weight 100, to stable at 0.
      const table: RoutingTable = {
        ...where,
        listen: { host: '127.0.0.1', port: 0 },
        backends: { stable: [stable], baseline: [baseline], canary: [canary] },
        baselineWeight: track === 'baseline' ? 100 : 0,
        canaryMatches: [{ source: 'header', name: 'x-canary', kind: 'exact', value: '1' }],
      };
      await router.apply(table);
      const port = router.address(where.service, where.environment, where.listener)?.port ?? 0;
      const headers = ['Host', 'web', ...(track === 'canary' ? ['X-Canary', '1'] : [])];
      for (const status of statuses) await send(port, { path: `/status/${status}`, headers });
    },
    async close() {
      await router.close();
      for (const upstream of started) await upstream.close();
    },
  };
});
