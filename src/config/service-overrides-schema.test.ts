import { describe, expect, it } from 'vitest';
import { problemsOf } from './config-problems.js';
import { parseConfig } from './load-config.js';

/** `web` routed in dev (Ferry's router) and prod (HAProxy), with `overrides` lines (6 spaces in). */
function withOverrides(...overrides: string[]): string {
  return [
    'apiVersion: ferry.dev/v1',
    'environments:',
    '  - name: dev',
    '  - { name: prod, dataPlane: haproxy }',
    'limits: { maxReplicas: 8 }',
    'services:',
    '  web:',
    '    runtime: { local: { command: node server.js, env: { LOG: debug } } }',
    '    routes: { dev: 127.0.0.1:8081, prod: 127.0.0.1:8080 }',
    '    analysis:',
    '      errors:',
    '        metrics: [{ name: e, provider: { builtin: { metric: error_rate } }, max: 0.01 }]',
    '    overrides:',
    ...overrides.map((line) => `      ${line}`),
  ].join('\n');
}

describe('overrides in ferry.yaml', () => {
  it('resolves each environment’s override onto the service', () => {
    const text = withOverrides(
      'prod:',
      '  replicas: 3',
      '  env: { LOG: info, WORKERS: 4 }',
      '  progressDeadline: 20m',
      '  smoke: [{ path: /ready }]',
      '  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: 10s } }] } }',
      '  analysis:',
      '    errors: { count: 3, metrics: [{ name: e, provider: { builtin: { metric: error_rate } }, max: 0.05 }] }',
    );
    const web = parseConfig(text, 'ferry.yaml').services['web'];
    expect(web?.overrides).toEqual({
      prod: {
        replicas: 3,
        env: { LOG: 'info', WORKERS: '4' },
        progressDeadlineMs: 1_200_000,
        smoke: [expect.objectContaining({ path: '/ready', timeoutMs: 5_000 })],
        strategy: expect.objectContaining({ kind: 'canary' }),
        analysis: { errors: expect.objectContaining({ count: 3 }) },
      },
    });
    expect(web?.strategy.kind).toBe('rolling');
  });

  it('rejects an environment that is not declared, at its key', () => {
    expect(problemsOf(withOverrides('qa: { replicas: 2 }'))).toEqual([
      'ferry.yaml:14:7 services.web.overrides.qa: unknown environment "qa"; declared environments are dev, prod',
    ]);
  });

  it('rejects fields an override cannot set, and says routes are per environment already', () => {
    expect(problemsOf(withOverrides('prod: { routes: 127.0.0.1:9000 }'))).toEqual([
      'ferry.yaml:14:15 services.web.overrides.prod.routes: unknown field "routes"; allowed fields are replicas, env, strategy, analysis, smoke, progressDeadline (routes are per environment already: set them in the service\'s routes)',
    ]);
  });

  it('reports a bad strategy, replicas over the limit and a bad env where the override writes them', () => {
    expect(
      problemsOf(
        withOverrides(
          'prod:',
          '  replicas: 9',
          '  env: { 1BAD: x }',
          '  strategy: { canary: { steps: [{ setWieght: 20 }] } }',
        ),
      ),
    ).toEqual([
      'ferry.yaml:15:19 services.web.overrides.prod.replicas: 9 replicas is over the limit of 8; lower it, or raise limits.maxReplicas if you mean it',
      'ferry.yaml:16:16 services.web.overrides.prod.env.1BAD: expected an environment variable name such as GREETING, got "1BAD"',
      'ferry.yaml:17:41 services.web.overrides.prod.strategy.canary.steps[0].setWieght: unknown field "setWieght"; expected one of setWeight, pause, setCanaryScale, setHeaderRoute, setMirror, analysis, judge, approval',
    ]);
  });

  it('checks an override’s strategy with the templates it resolves to: the service’s and its own', () => {
    const strategy = (templates: string) =>
      `  strategy: { canary: { steps: [{ setWeight: 20 }, { analysis: { templates: [${templates}], duration: 1m } }] } }`;
    expect(problemsOf(withOverrides('prod:', strategy('errors, latency')))).toEqual([
      'ferry.yaml:15:92 services.web.overrides.prod.strategy.canary.steps[1].analysis.templates[1]: unknown analysis template "latency"; defined: errors',
    ]);
    const own =
      '  analysis: { latency: { metrics: [{ name: r, provider: { builtin: { metric: request_rate } }, min: 1 }] } }';
    expect(problemsOf(withOverrides('prod:', strategy('errors, latency'), own))).toEqual([]);
  });

  it('asks a count of the templates an override’s strategy waits for, naming where to set it', () => {
    const text = withOverrides(
      'dev:',
      '  strategy: { rolling: { postDeployAnalysis: { templates: [errors] } } }',
    );
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:15:66 services.web.overrides.dev.strategy.rolling.postDeployAnalysis.templates[0]: template "errors" has no count, so this analysis would never end; set count in services.web.analysis.errors',
    ]);
  });

  it('checks an override’s strategy against its own environment’s data plane only', () => {
    const mirror =
      '  strategy: { canary: { steps: [{ setWeight: 20 }, { setMirror: { percentage: 5 } }] } }';
    expect(problemsOf(withOverrides('dev:', mirror))).toEqual([]);
    expect(problemsOf(withOverrides('prod:', mirror))).toEqual([
      'ferry.yaml:15:60 services.web.overrides.prod.strategy.canary.steps[1].setMirror: the data plane of prod (dataPlane: haproxy) has no request mirroring; remove this or set dataPlane: ferry on prod',
    ]);
  });

  it('asks a count of an override’s template that the service’s own strategy waits for', () => {
    const text = withOverrides(
      'prod:',
      '  analysis: { errors: { metrics: [{ name: e, provider: { builtin: { metric: error_rate } }, max: 0.05 }] } }',
    ).replace(
      '    overrides:',
      '    strategy: { rolling: { postDeployAnalysis: { templates: [errors] } } }\n    overrides:',
    );
    expect(
      problemsOf(text.replace('      errors:\n', '      errors:\n        count: 2\n')),
    ).toEqual([
      'ferry.yaml:17:21 services.web.overrides.prod.analysis.errors: template "errors" has no count, and services.web.strategy.rolling.postDeployAnalysis waits for it to end, so it would never end; set count',
    ]);
  });

  it('lets an override replace, in its environment, a strategy that environment’s data plane lacks', () => {
    const text = withOverrides('prod: { strategy: { rolling: {} } }').replace(
      '    overrides:',
      '    strategy: { canary: { steps: [{ setMirror: { percentage: 5 } }] } }\n    overrides:',
    );
    expect(problemsOf(text)).toEqual([]);
    expect(problemsOf(text.replace('prod: { strategy', 'dev: { strategy'))).toEqual([
      'ferry.yaml:13:37 services.web.strategy.canary.steps[0].setMirror: the data plane of prod (dataPlane: haproxy) has no request mirroring; remove this or set dataPlane: ferry on prod',
    ]);
  });

  it('keeps an override’s preview route to its own environment, sharing the service’s listener', () => {
    const blueGreen = (env: string) =>
      `  strategy: { blueGreen: { previewRoutes: { ${env}: 127.0.0.1:9090 } } }`;
    const text = withOverrides('prod:', blueGreen('prod')).replace(
      '    overrides:',
      '    strategy: { blueGreen: { previewRoutes: { prod: 127.0.0.1:9090 } } }\n    overrides:',
    );
    expect(problemsOf(text)).toEqual([]);
    expect(problemsOf(withOverrides('prod:', blueGreen('dev')))).toEqual([
      "ferry.yaml:15:51 services.web.overrides.prod.strategy.blueGreen.previewRoutes.dev: the override of prod previews in prod only; set dev's preview route in the service's strategy or in overrides.dev",
    ]);
  });
});
