import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { shareOver, waitForPhase } from '../support/rollout.js';

interface AnalysisBody {
  runs: { name: string; phase: string; finishedAt: string | null }[];
}

interface EventsBody {
  events: { time: string; kind: string }[];
}

/** Builtin error rate on the `stable` track of whichever listener the gate measures. */
const errorsTemplate = (name: string) => `    analysis:
      ${name}:
        interval: 500ms
        count: 3
        failureLimit: 0
        inconclusiveLimit: 3
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 5
`;

describe('blue-green with pre- and post-promotion analysis', () => {
  let server: FerryServer | undefined;
  const loads: ConstantLoad[] = [];
  afterEach(async () => {
    await Promise.all(loads.splice(0).map((l) => l.stop()));
    await server?.destroy();
    server = undefined;
  });

  function startLoad(port: number, rps: number): ConstantLoad {
    const load = new ConstantLoad(`http://127.0.0.1:${port}/`, rps).start();
    loads.push(load);
    return load;
  }

  async function start(options: { strategy: string; service: string }) {
    const routePort = await freePort();
    const s = await FerryServer.create(helloConfig({ routePort, replicas: 2, ...options }));
    await s.start();
    server = s;
    await deployHello(s, { version: 'v1' });
    return { server: s, routePort };
  }

  it('switches once the preview passes its analysis, and never switches to a failing preview', async () => {
    const previewPort = await freePort();
    const { server: s, routePort } = await start({
      service: errorsTemplate('preview-errors'),
      strategy: `      blueGreen:
        previewRoutes: { prod: 127.0.0.1:${previewPort} }
        autoPromotion: 1s
        scaleDownDelay: 1s
        prePromotionAnalysis: { templates: [preview-errors] }
`,
    });
    const main = startLoad(routePort, 100);
    // The preview route exists only while a new set is previewed: refused connections in between
    // are expected, so only what the preview answered is looked at.
    const preview = startLoad(previewPort, 100);

    const good = await startDeploy(s, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(s, good.id)).phase).toBe('Succeeded');
    const passed = await s.get<AnalysisBody>(`/api/v1/deployments/${good.id}/analysis`);
    expect(passed.runs.map((r) => [r.name, r.phase])).toEqual([['pre-promotion', 'Successful']]);
    // `autoPromotion: 1s` waited for the verdict: traffic switched only once the run had passed.
    const { events } = await s.get<EventsBody>(
      `/api/v1/events?subject=deployment/${good.id}&kind=rollout.switched`,
    );
    expect(events).toHaveLength(1);
    expect(Date.parse(events[0]!.time)).toBeGreaterThanOrEqual(
      Date.parse(passed.runs[0]!.finishedAt!),
    );
    expect(preview.byVersion()['v2']?.responses).toBeGreaterThan(0);
    expect((await shareOver(main, 'v2', 1_000)).share).toBe(1);

    const bad = await startDeploy(
      s,
      'hello',
      'prod',
      'v3',
      helloVersion({ version: 'v3', errorRate: 0.5 }),
    );
    const aborted = await waitForPhase(s, 'Aborted');
    expect(aborted.deployment?.id).toBe(bad.id);
    expect(aborted.deployment?.reason).toMatch(/^analysis "pre-promotion" Failed/);
    expect(aborted.traffic).toMatchObject({ active: 'stable', preview: false });
    const failed = await s.get<AnalysisBody>(`/api/v1/deployments/${bad.id}/analysis`);
    expect(failed.runs.map((r) => [r.name, r.phase])).toEqual([['pre-promotion', 'Failed']]);
    // The failing version answered on the preview (that is how it was caught), never on the route.
    expect(preview.byVersion()['v3']?.failed).toBeGreaterThan(0);
    await sleep(1_000);

    const result = await main.stop();
    loads.splice(loads.indexOf(main), 1);
    expect(result.byVersion['v3']).toBeUndefined();
    expect(result.byVersion['v2']?.responses).toBeGreaterThan(0);
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
  });

  it('switches back to the old set when post-promotion analysis fails', async () => {
    const { server: s, routePort } = await start({
      service: errorsTemplate('live-errors'),
      strategy: `      blueGreen:
        autoPromotion: 1s
        scaleDownDelay: 30s
        postPromotionAnalysis: { templates: [live-errors] }
`,
    });
    const load = startLoad(routePort, 200);
    const bad = await startDeploy(
      s,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', errorRate: 0.3 }),
    );
    const aborted = await waitForPhase(s, 'Aborted');
    expect(aborted.deployment?.id).toBe(bad.id);
    expect(aborted.deployment?.reason).toMatch(/^analysis "post-promotion" Failed/);
    expect(aborted.traffic).toMatchObject({ active: 'stable' });
    // The switch did happen: the new set answered on the route before the verdict.
    expect(load.byVersion()['v2']?.failed).toBeGreaterThan(0);

    // In-flight requests settle, then the old set takes all traffic again.
    await shareOver(load, 'v2', 500);
    const after = await shareOver(load, 'v2', 2_000);
    expect(after.total).toBeGreaterThan(100);
    expect(after.share).toBe(0);
    const runs = await s.get<AnalysisBody>(`/api/v1/deployments/${bad.id}/analysis`);
    expect(runs.runs.map((r) => [r.name, r.phase])).toEqual([['post-promotion', 'Failed']]);
  });
});
