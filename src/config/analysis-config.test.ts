import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/ferry-error.js';
import type { AnalysisTemplate, ServiceConfig } from './ferry-config.js';
import { loadConfigFile, parseConfig } from './load-config.js';

const errorsTemplate: AnalysisTemplate = {
  intervalMs: 10_000,
  count: null,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  metrics: [
    {
      name: 'error-rate',
      provider: { kind: 'builtin', metric: 'error_rate' },
      max: 0.01,
      dryRun: false,
    },
  ],
};

/** A ferry.yaml whose one service `web` has the given lines after its runtime. */
function withService(...lines: string[]): string {
  return [
    'apiVersion: ferry.dev/v1',
    'environments: [{ name: prod }]',
    'services:',
    '  web:',
    '    runtime: { local: { command: node server.js } }',
    ...lines.map((line) => `    ${line}`),
  ].join('\n');
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'ferry.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.format().split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** `analysis:` with one template `errors` whose one metric is written by `metric` lines. */
function withMetric(...metric: string[]): string {
  return withService(
    'analysis:',
    '  errors:',
    '    metrics:',
    '      - name: m',
    ...metric.map((line) => `        ${line}`),
  );
}

describe('analysis configuration', () => {
  it('resolves templates, providers, smoke checks, the judge and every analysis hook', async () => {
    const config = await loadConfigFile('test/fixtures/config/valid-analysis.yaml');
    const { web, api, admin } = config.services as Record<string, ServiceConfig>;
    expect(web?.analysis).toStrictEqual({
      errors: {
        intervalMs: 5000,
        count: 3,
        initialDelayMs: 0,
        failureLimit: 1,
        inconclusiveLimit: 0,
        consecutiveErrorLimit: 4,
        metrics: [
          {
            name: 'error-rate',
            provider: { kind: 'builtin', metric: 'error_rate', track: 'canary' },
            max: 0.01,
            dryRun: false,
          },
          {
            name: 'p99',
            provider: {
              kind: 'prometheus',
              address: 'http://127.0.0.1:9090',
              query: 'histogram_quantile(0.99, sum(rate(x[1m])) by (le))',
              timeoutMs: 5000,
            },
            successCondition: 'result < 250',
            failureCondition: 'result >= 500',
            minSampleSize: 50,
            dryRun: true,
          },
        ],
      },
      checks: {
        ...errorsTemplate,
        count: 2,
        metrics: [
          {
            name: 'status',
            provider: {
              kind: 'web',
              url: 'http://127.0.0.1:9100/status',
              method: 'GET',
              headers: { authorization: 'Bearer x' },
              timeoutMs: 5000,
              jsonPath: '$.ok',
              expectStatus: [200],
            },
            successCondition: 'result == true',
            dryRun: false,
          },
          {
            name: 'script',
            provider: {
              kind: 'command',
              argv: ['/bin/sh', '-c', 'node check.js'],
              cwd: 'tools',
              env: { LIMIT: '5' },
              timeoutMs: 30_000,
            },
            min: 0,
            dryRun: false,
          },
        ],
      },
    });
    expect(web?.smoke).toStrictEqual([
      { path: '/healthz', method: 'GET', expectStatus: [200], timeoutMs: 5000 },
      {
        path: '/api/version',
        method: 'HEAD',
        expectStatus: [200, 204],
        expectBody: '"ok"',
        timeoutMs: 2000,
      },
    ]);
    expect(web?.inconclusive).toStrictEqual({ timeoutMs: 600_000, action: 'promote' });
    expect(web?.notifications).toStrictEqual({
      webhooks: [
        { url: 'http://127.0.0.1:9000/hook', headers: { authorization: 'Bearer x' } },
        { url: 'https://hooks.example.com/ferry', headers: {} },
      ],
    });
    expect(web?.strategy).toStrictEqual({
      kind: 'canary',
      canary: {
        maxSurge: '25%',
        stickySession: null,
        abortScaleDownDelayMs: 30_000,
        analysis: { templates: ['errors'], startingStep: 1 },
        baseline: true,
        judge: {
          passThreshold: 95,
          marginalThreshold: 75,
          metrics: [
            {
              name: 'latency',
              kind: 'latency',
              direction: 'increase',
              critical: true,
              effectSizeTolerance: 0.1,
            },
            {
              name: 'errors',
              kind: 'errorRate',
              direction: 'either',
              critical: false,
              effectSizeTolerance: 0.01,
              minSampleSize: 200,
            },
          ],
        },
        steps: [
          { kind: 'setWeight', weight: 10 },
          { kind: 'analysis', templates: ['errors', 'checks'], durationMs: 30_000 },
          { kind: 'judge', durationMs: 60_000, intervalMs: 15_000 },
          { kind: 'analysis', templates: ['checks'], durationMs: null },
        ],
      },
    });
    expect(api?.analysis).toStrictEqual({ errors: { ...errorsTemplate, count: 3 } });
    expect(api?.strategy).toStrictEqual({
      kind: 'rolling',
      rolling: { maxSurge: 1, maxUnavailable: 0, postDeployAnalysis: { templates: ['errors'] } },
    });
    expect(admin?.strategy).toMatchObject({
      blueGreen: {
        prePromotionAnalysis: { templates: ['errors'] },
        postPromotionAnalysis: { templates: ['errors'] },
      },
    });
  });

  it('points into a quoted condition, past escapes, and at the start of a block scalar', () => {
    expect(
      problemsOf(
        withMetric(
          'provider: { builtin: { metric: error_rate } }',
          `successCondition: 'result == ''a'' && = 1'`,
          'failureCondition: "result == \\"b\\" | 1"',
        ),
      ),
    ).toEqual([
      `ferry.yaml:11:51 services.web.analysis.errors.metrics[0].successCondition: invalid condition: unexpected '=': use '==' to compare (column 18)`,
      `ferry.yaml:12:48 services.web.analysis.errors.metrics[0].failureCondition: invalid condition: unexpected '|': use '||' for 'or' (column 15)`,
    ]);
    expect(
      problemsOf(
        withMetric(
          'provider: { builtin: { metric: error_rate } }',
          'successCondition: >-',
          '  result <',
          '  )',
        ),
      ),
    ).toEqual([
      `ferry.yaml:11:31 services.web.analysis.errors.metrics[0].successCondition: invalid condition: expected a value, found ')' (column 10)`,
    ]);
  });

  it('requires a criterion and a sensible range for each metric', () => {
    expect(problemsOf(withMetric('provider: { builtin: { metric: error_rate } }'))).toEqual([
      'ferry.yaml:9:13 services.web.analysis.errors.metrics[0]: metric "m" has nothing to judge by; set min, max, successCondition or failureCondition',
    ]);
    expect(
      problemsOf(withMetric('provider: { builtin: { metric: error_rate } }', 'min: 2', 'max: 1')),
    ).toEqual([
      'ferry.yaml:11:18 services.web.analysis.errors.metrics[0].min: min 2 is above max 1, so no value could pass',
    ]);
  });

  it('reports duplicate metric names and providers given twice', () => {
    const text = withService(
      'analysis:',
      '  errors:',
      '    metrics:',
      '      - { name: m, provider: { builtin: { metric: error_rate } }, max: 1 }',
      '      - { name: m, provider: { builtin: { metric: error_rate }, command: { argv: x } }, max: 1 }',
    );
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:10:21 services.web.analysis.errors.metrics[1].name: duplicate metric "m", already named at metrics[0]; names must be unique',
      'ferry.yaml:10:34 services.web.analysis.errors.metrics[1].provider: expected one of builtin, prometheus, web, command, got builtin and command; a metric reads one provider, so keep the one to use',
    ]);
  });

  it('checks template names wherever they are used, and the judge, baseline and starting step', () => {
    const text = withService(
      'strategy:',
      '  canary:',
      '    analysis: { templates: [errors], startingStep: 2 }',
      '    steps:',
      '      - setWeight: 10',
      '      - judge: { duration: 1m }',
    );
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:8:33 services.web.strategy.canary.analysis.templates[0]: unknown analysis template "errors"; none are defined; add it under services.web.analysis',
      'ferry.yaml:8:56 services.web.strategy.canary.analysis.startingStep: step 2 does not exist: steps are numbered from 0 to 1',
      'ferry.yaml:11:13 services.web.strategy.canary.steps[1].judge: the judge compares the canary with a baseline; set baseline: { enabled: true }',
      'ferry.yaml:11:13 services.web.strategy.canary.steps[1].judge: a judge step needs the metrics to compare; set canary.judge: { metrics: [...] }',
    ]);
    const blueGreen = withService(
      'analysis: {}',
      'strategy:',
      '  blueGreen: { postPromotionAnalysis: { templates: [smoke] } }',
    );
    expect(problemsOf(blueGreen)).toEqual([
      'ferry.yaml:8:57 services.web.strategy.blueGreen.postPromotionAnalysis.templates[0]: unknown analysis template "smoke"; none are defined; add it under services.web.analysis',
    ]);
  });

  it('validates smoke checks, inconclusive handling and webhooks', () => {
    const text = withService(
      'smoke: [{ path: healthz, expectStatus: 700, expectBody: "(" }]',
      'inconclusive: { action: wait }',
      'notifications: { webhooks: [{ url: ftp://x }] }',
    );
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:6:21 services.web.smoke[0].path: expected an HTTP path such as /healthz, got "healthz"',
      'ferry.yaml:6:44 services.web.smoke[0].expectStatus: expected an HTTP status from 100 to 599, or a list of them such as [200, 204], got 700',
      'ferry.yaml:6:61 services.web.smoke[0].expectBody: expected a valid regular expression, got "(": Unterminated group',
      'ferry.yaml:7:29 services.web.inconclusive.action: expected one of abort, promote, got "wait"',
      'ferry.yaml:8:40 services.web.notifications.webhooks[0].url: expected an http:// or https:// URL such as http://127.0.0.1:9090, got "ftp://x"',
    ]);
  });
});
