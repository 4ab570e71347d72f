import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, eventually, startDeploy } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { PrometheusServer, requirePrometheus } from '../support/prometheus.js';
import { getRollout, shareOver, type RolloutBody } from '../support/rollout.js';

const available = requirePrometheus();

const canarySteps = `      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 50
          - analysis: { templates: [prom-errors] }
`;

/**
 * The canary's share of 5xx over the last 5 s, read from Ferry's own /metrics through Prometheus.
 * Ferry fills in the placeholders for the rollout measured, so the template names no version.
 * Without canary traffic there is no series at all: no data, which Ferry judges Inconclusive.
 */
const selector = 'service="{{service}}",environment="{{environment}}",version="{{version}}"';
const errorRateQuery = `sum(rate(ferry_router_requests_total{${selector},code_class="5xx"}[5s]))`;
const canaryRateQuery = `sum(rate(ferry_router_requests_total{${selector}}[5s]))`;

/** Four measurements a second apart once two scrapes of canary traffic are in the 5 s window. */
function analysisYaml(prometheusPort: number): string {
  return `    analysis:
      prom-errors:
        interval: 1s
        count: 4
        initialDelay: 3s
        failureLimit: 1
        metrics:
          - name: canary-error-rate
            provider:
              prometheus:
                address: http://127.0.0.1:${prometheusPort}
                query: '(${errorRateQuery}) / ${canaryRateQuery}'
            max: 0.05
`;
}

const settledPhases = ['Succeeded', 'Aborted', 'Paused', 'Failed', 'RolledBack'];

/** Waits until the newest rollout stops moving: finished, aborted or paused for a person. */
function settled(server: FerryServer): Promise<RolloutBody> {
  return eventually(
    async () => {
      const view = await getRollout(server);
      return settledPhases.includes(view.deployment?.phase ?? '') ? view : undefined;
    },
    60_000,
    'the rollout to settle',
  );
}

describe.runIf(available)('canary analysis against a real Prometheus', () => {
  let server: FerryServer | undefined;
  let prometheus: PrometheusServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    await prometheus?.stop();
    server = prometheus = load = undefined;
  });

  /** Ferry with `base` deployed, and Prometheus scraping its /metrics. */
  async function startWith(base: string, routePort: number) {
    const prometheusPort = await freePort();
    const s = await FerryServer.create(
      helloConfig({
        routePort,
        replicas: 2,
        strategy: canarySteps,
        service: analysisYaml(prometheusPort),
      }),
    );
    server = s;
    await s.start();
    const p = await PrometheusServer.start({ port: prometheusPort, target: `127.0.0.1:${s.port}` });
    prometheus = p;
    // The first deployment starts the version outright: no steps, no analysis.
    expect((await deployHello(s, { version: base })).phase).toBe('Succeeded');
    return { ferry: s, prom: p };
  }

  it('passes a healthy canary: the rollout succeeds with zero failed requests', async () => {
    const routePort = await freePort();
    const { ferry, prom } = await startWith('v1', routePort);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 120).start();
    const v2 = await startDeploy(ferry, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));

    const view = await settled(ferry);
    expect(view.deployment).toMatchObject({ id: v2.id, phase: 'Succeeded', reason: null });
    expect(view.steps.map((step) => step.state)).toEqual(['done', 'done']);
    // The analysis read real numbers: Prometheus holds the canary's requests, and no 5xx at all.
    const canaryRequests = await prom.query(
      'sum(ferry_router_requests_total{service="hello",track="canary",version="v2"})',
    );
    expect(canaryRequests).toBeGreaterThan(100);
    expect(await prom.query('sum(ferry_router_requests_total{code_class="5xx"})')).toBe(0);

    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(result.byVersion['v2']?.responses).toBeGreaterThan(100);
    expect(result.byVersion['v1']?.responses).toBeGreaterThan(100);
  });

  it('fails a canary that errs on half its requests: aborted, traffic back on stable', async () => {
    const routePort = await freePort();
    const { ferry } = await startWith('v2', routePort);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 120).start();
    await startDeploy(
      ferry,
      'hello',
      'prod',
      'v3',
      helloVersion({ version: 'v3', errorRate: 0.5 }),
    );

    const view = await settled(ferry);
    expect(view.deployment?.version).toBe('v3');
    expect(view.deployment?.phase).toBe('Aborted');
    // failureLimit 1: the second reading above max fails the run; it shows v3's real error rate.
    const reason = view.deployment?.reason ?? '';
    const verdict =
      /^analysis "step-2" Failed: prom-errors\/canary-error-rate: 2 failed, more than failureLimit 1; last: ([\d.]+) is above max 0\.05$/;
    expect(reason).toMatch(verdict);
    const last = Number(verdict.exec(reason)?.[1]);
    expect(last).toBeGreaterThan(0.2);
    expect(last).toBeLessThan(0.8);

    // Requests in flight at the abort finish where they went; after that only stable answers.
    await shareOver(load, 'v3', 500);
    const after = await shareOver(load, 'v3', 2_000);
    expect(after.total).toBeGreaterThan(100);
    expect(after.share).toBe(0);
    expect((await getRollout(ferry)).deployment?.phase).toBe('Aborted');

    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.byVersion['v2']?.failed).toBe(0);
    expect(result.byVersion['v3']?.failed).toBeGreaterThan(0);
    expect(result.non2xx).toBe(result.byVersion['v3']?.failed);
  });
});
