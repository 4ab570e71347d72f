import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/ferry-error.js';
import { parseConfig } from './load-config.js';

/** Each malformed fixture, where its first problem is reported, and what the line must say. */
const cases: readonly { file: string; location: string; path: string; says: string }[] = [
  { file: 'syntax-error', location: '9:9', path: '(yaml)', says: 'Flow sequence' },
  {
    file: 'wrong-type',
    location: '8:19',
    path: 'services.web.runtime.local.replicas',
    says: 'expected an integer >= 1, got "two"',
  },
  {
    file: 'unknown-field',
    location: '9:9',
    path: 'services.web.runtime.local.replica',
    says: 'unknown field "replica"; allowed fields are command, cwd, env, replicas, user',
  },
  {
    file: 'bad-duration',
    location: '11:19',
    path: 'services.web.health.readiness.interval',
    says: 'expected a duration such as 500ms, 10s or 5m, got "10 seconds"',
  },
  {
    file: 'numeric-duration',
    location: '8:19',
    path: 'services.web.drainTimeout',
    says: 'expected a duration such as 500ms, 10s or 5m, got 5',
  },
  {
    file: 'duplicate-environment',
    location: '5:11',
    path: 'environments[2].name',
    says: 'duplicate environment "prod", already declared at environments[0]',
  },
  {
    file: 'missing-command',
    location: '8:9',
    path: 'services.web.runtime.local.command',
    says: 'required field is missing',
  },
  {
    file: 'empty-command',
    location: '8:18',
    path: 'services.web.runtime.local.command',
    says: 'got an empty list',
  },
  {
    file: 'unknown-route-environment',
    location: '11:7',
    path: 'services.web.routes.qa',
    says: 'unknown environment "qa"; declared environments are staging, prod',
  },
  {
    file: 'port-clash',
    location: '14:13',
    path: 'services.api.routes.prod',
    says: 'port 8080 on 127.0.0.1 is already used by services.web.routes.prod',
  },
  {
    file: 'wildcard-port-clash',
    location: '11:13',
    path: 'services.web.routes.prod',
    says: 'port 9000 on 0.0.0.0 is already used by services.web.routes.staging',
  },
  {
    file: 'replicas-zero',
    location: '6:15',
    path: 'services.web.replicas',
    says: 'expected an integer >= 1, got 0',
  },
  {
    file: 'bad-api-version',
    location: '1:13',
    path: 'apiVersion',
    says: 'expected "ferry.dev/v1", got "ferry.dev/v2"',
  },
  {
    file: 'no-surge-no-unavailable',
    location: '10:9',
    path: 'services.web.strategy.rolling',
    says: 'maxSurge and maxUnavailable are both 0',
  },
  {
    file: 'empty-environments',
    location: '2:15',
    path: 'environments',
    says: 'at least one environment is required',
  },
  {
    file: 'missing-environments',
    location: '1:1',
    path: 'environments',
    says: 'required field is missing',
  },
  {
    file: 'bad-listen-address',
    location: '9:13',
    path: 'services.web.routes.prod',
    says: 'expected a listen address such as 127.0.0.1:8080 or :8080, got "localhost:99999"',
  },
  {
    file: 'bad-service-name',
    location: '5:3',
    path: 'services.Web',
    says: 'got "Web"',
  },
  {
    file: 'unknown-step-kind',
    location: '12:13',
    path: 'services.web.strategy.canary.steps[1].setWieght',
    says: 'unknown field "setWieght"; expected one of setWeight, pause, setCanaryScale, setHeaderRoute, setMirror, analysis, judge, approval',
  },
  {
    file: 'canary-weight-out-of-range',
    location: '13:24',
    path: 'services.web.strategy.canary.steps[2].setWeight',
    says: 'expected a number from 0 to 100 with at most one decimal, got 150',
  },
  {
    file: 'bad-header-regex',
    location: '16:26',
    path: 'services.web.strategy.canary.steps[0].setHeaderRoute.match[1].regex',
    says: 'expected a valid regular expression, got "(iPhone|Android": Unterminated group',
  },
  {
    file: 'two-strategies',
    location: '9:7',
    path: 'services.web.strategy',
    says: 'expected one of rolling, canary, blueGreen, got rolling and canary; a service rolls out with one strategy',
  },
  {
    file: 'unknown-preview-environment',
    location: '15:11',
    path: 'services.web.strategy.blueGreen.previewRoutes.qa',
    says: 'unknown environment "qa"; declared environments are staging, prod',
  },
  {
    file: 'preview-port-clash',
    location: '18:17',
    path: 'services.web.strategy.blueGreen.previewRoutes.prod',
    says: 'port 8081 on 127.0.0.1 is already used by services.api.routes.prod',
  },
  {
    file: 'unknown-analysis-template',
    location: '18:45',
    path: 'services.web.strategy.canary.steps[1].analysis.templates[1]',
    says: 'unknown analysis template "latency"; defined: errors',
  },
  {
    file: 'endless-analysis',
    location: '16:52',
    path: 'services.web.strategy.rolling.postDeployAnalysis.templates[0]',
    says: 'template "errors" has no count, so this analysis would never end; set count in services.web.analysis.errors',
  },
  {
    file: 'judge-score-name',
    location: '13:23',
    path: 'services.web.strategy.canary.judge.metrics[0].name',
    says: 'the name "score" is taken by the judge\'s own score',
  },
  {
    file: 'unknown-placeholder',
    location: '15:24',
    path: 'services.web.analysis.errors.metrics[0].provider.prometheus.query',
    says: 'unknown placeholder {{versoin}}; known: {{service}}, {{environment}}',
  },
  {
    file: 'smoke-zero-timeout',
    location: '9:36',
    path: 'services.web.smoke[0].timeout',
    says: 'a timeout of 0 would fail every check',
  },
  {
    file: 'judge-interval-too-long',
    location: '16:47',
    path: 'services.web.strategy.canary.steps[1].judge.interval',
    says: 'interval must be above 0 and shorter than duration',
  },
  {
    file: 'bad-condition',
    location: '13:38',
    path: 'services.web.analysis.errors.metrics[0].successCondition',
    says: "invalid condition: unexpected '=': use '==' to compare (column 8)",
  },
  {
    file: 'prometheus-missing-query',
    location: '13:27',
    path: 'services.web.analysis.errors.metrics[0].provider.prometheus.query',
    says: 'required field is missing (expected a PromQL query',
  },
  {
    file: 'unknown-builtin-metric',
    location: '13:34',
    path: 'services.web.analysis.latency.metrics[0].provider.builtin.metric',
    says: 'expected one of error_rate, latency_p50, latency_p95, latency_p99, request_rate, got "latency_p90"',
  },
  {
    file: 'progress-deadline-zero',
    location: '8:23',
    path: 'services.web.progressDeadline',
    says: 'a progressDeadline of 0 would fail every rollout at once',
  },
  {
    file: 'replicas-over-limit',
    location: '6:15',
    path: 'services.web.replicas',
    says: '1000 replicas is over the limit of 64; lower it, or raise limits.maxReplicas',
  },
  {
    file: 'replicas-over-configured-limit',
    location: '9:51',
    path: 'services.web.runtime.local.replicas',
    says: '10 replicas is over the limit of 8',
  },
  {
    file: 'drain-timeout-too-long',
    location: '8:19',
    path: 'services.web.drainTimeout',
    says: 'a drainTimeout of 2h is over the limit of 1h',
  },
  {
    file: 'cwd-leaves-release',
    location: '9:14',
    path: 'services.web.runtime.local.cwd',
    says: 'got "app/../../etc": cwd is relative to the release folder and must stay inside it',
  },
  {
    file: 'bad-rollback-window',
    location: '8:34',
    path: 'services.web.rollbackWindow.revisions',
    says: 'expected an integer from 0 to 100, got -1',
  },
  {
    file: 'judge-without-baseline',
    location: '10:9',
    path: 'services.web.strategy.canary.judge',
    says: 'the judge compares the canary with a baseline; set baseline: { enabled: true }',
  },
  {
    file: 'override-unknown-environment',
    location: '11:7',
    path: 'services.web.overrides.production',
    says: 'unknown environment "production"; declared environments are staging, prod',
  },
  {
    file: 'override-bad-strategy',
    location: '17:36',
    path: 'services.web.overrides.prod.strategy.canary.steps[1].pause.duration',
    says: 'expected a duration such as 500ms, 10s or 5m, got "ten seconds"',
  },
  {
    file: 'override-unknown-analysis-template',
    location: '24:58',
    path: 'services.web.overrides.prod.strategy.canary.steps[1].analysis.templates[2]',
    says: 'unknown analysis template "saturation"; defined: errors, latency',
  },
];

describe('malformed ferry.yaml fixtures', () => {
  it.each(cases)('$file is reported at $location on $path', ({ file, location, path, says }) => {
    const name = `test/fixtures/config/${file}.yaml`;
    let error: unknown;
    try {
      parseConfig(readFileSync(name, 'utf8'), name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const first = (error as ConfigError).format().split('\n')[0];
    expect(first).toContain(`${name}:${location} ${path}: `);
    expect(first).toContain(says);
  });
});
