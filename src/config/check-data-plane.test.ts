import { describe, expect, it } from 'vitest';
import { problemsOf } from './config-problems.js';

/** A ferry.yaml: `staging` on Ferry's router, `prod` on HAProxy; service `web` routed in `routed`. */
function withCanary(routed: readonly string[], ...canary: string[]): string {
  return [
    'apiVersion: ferry.dev/v1',
    'environments:',
    '  - name: staging',
    '  - { name: prod, dataPlane: haproxy }',
    'services:',
    '  web:',
    '    runtime: { local: { command: node server.js } }',
    `    routes: { ${routed.map((env, i) => `${env}: "127.0.0.1:${8080 + i}"`).join(', ')} }`,
    '    analysis:',
    '      errors:',
    '        count: 2',
    '        metrics:',
    '          - { name: e, provider: { builtin: { metric: error_rate } }, max: 0.01 }',
    '          - { name: l, provider: { builtin: { metric: latency_p95 } }, max: 200 }',
    '    strategy:',
    '      canary:',
    ...canary.map((line) => `        ${line}`),
  ].join('\n');
}

/** Each canary need, on its own line (line numbers below count from the file's first line). */
const everyNeed = [
  'stickySession: true',
  'baseline: { enabled: true }',
  'judge: { metrics: [{ name: latency, kind: latency, effectSizeTolerance: 0.1 }] }',
  'steps:',
  '  - setWeight: 20',
  '  - setMirror: { percentage: 10 }',
  '  - setHeaderRoute: { match: [{ header: x-canary, exact: "yes" }, { cookie: beta, exact: "1" }] }',
  '  - judge: { duration: 1m }',
  '  - setMirror: { percentage: 0 }',
];

const onProd = 'the data plane of prod (dataPlane: haproxy) has no';
const fix = 'remove this or set dataPlane: ferry on prod';

describe('checkDataPlane', () => {
  it('rejects, where each is written, what HAProxy cannot do for a service routed on it', () => {
    expect(problemsOf(withCanary(['staging', 'prod'], ...everyNeed))).toEqual([
      `ferry.yaml:14:55 services.web.analysis.errors.metrics[1].provider.builtin.metric: ${onProd} latency percentiles; ${fix}`,
      `ferry.yaml:17:9 services.web.strategy.canary.stickySession: ${onProd} sticky sessions; ${fix}`,
      `ferry.yaml:19:9 services.web.strategy.canary.judge: ${onProd} raw latency samples for the judge; ${fix}`,
      `ferry.yaml:22:13 services.web.strategy.canary.steps[1].setMirror: ${onProd} request mirroring; ${fix}`,
      `ferry.yaml:23:41 services.web.strategy.canary.steps[2].setHeaderRoute.match[0].header: ${onProd} header routes; ${fix}`,
      `ferry.yaml:23:77 services.web.strategy.canary.steps[2].setHeaderRoute.match[1].cookie: ${onProd} cookie routes; ${fix}`,
      `ferry.yaml:24:13 services.web.strategy.canary.steps[3].judge: ${onProd} raw latency samples for the judge; ${fix}`,
    ]);
  });

  it('accepts all of it for a service routed only on Ferry’s router', () => {
    expect(problemsOf(withCanary(['staging'], ...everyNeed))).toEqual([]);
  });

  it('accepts weights, baseline and error rates on HAProxy', () => {
    const text = withCanary(
      ['prod'],
      'steps:',
      '  - setWeight: 20',
      '  - pause: { duration: 1m }',
    ).replace(
      '          - { name: l, provider: { builtin: { metric: latency_p95 } }, max: 200 }\n',
      '',
    );
    expect(problemsOf(text)).toEqual([]);
  });
});
