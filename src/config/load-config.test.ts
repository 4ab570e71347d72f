import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/ferry-error.js';
import { defaultArtifactLimits } from '../features/artifacts/artifact-limits.js';
import type { FerryConfig, StrategyConfig } from './ferry-config.js';
import { loadConfigFile, parseConfig } from './load-config.js';

const fixtures = 'test/fixtures/config';

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const defaultReadiness = {
  path: '/healthz',
  intervalMs: 1000,
  timeoutMs: 2000,
  successThreshold: 1,
  failureThreshold: 3,
  initialDelayMs: 0,
};

/** What a service without analysis, smoke checks or notifications resolves those to. */
const noAnalysis = {
  analysis: {},
  smoke: [],
  inconclusive: { timeoutMs: null, action: 'abort' },
  notifications: { webhooks: [] },
  overrides: {},
} as const;

const expected: FerryConfig = {
  apiVersion: 'ferry.dev/v1',
  groups: {},
  windows: [],
  risk: { rules: [] },
  environments: [
    { name: 'staging', dataPlane: 'ferry', from: null, soakMs: 0, require: [], autoPromote: false },
    {
      name: 'prod',
      dataPlane: 'ferry',
      from: 'staging',
      soakMs: 0,
      require: [],
      autoPromote: false,
    },
  ],
  artifacts: { ...defaultArtifactLimits, retention: { keep: 10 } },
  router: { timeouts: { headersMs: 10_000, idleMs: 60_000 }, trustedProxies: [], workers: 1 },
  services: {
    web: {
      name: 'web',
      replicas: 2,
      runtime: {
        kind: 'local',
        local: {
          command: ['/bin/sh', '-c', 'node server.js'],
          cwd: 'app',
          env: { GREETING: 'hi', WORKERS: '4', DEBUG: 'false' },
        },
      },
      routes: {
        staging: { host: '127.0.0.1', port: 8081 },
        prod: { host: '127.0.0.1', port: 8080 },
      },
      health: {
        readiness: {
          ...defaultReadiness,
          path: '/ready',
          intervalMs: 500,
          successThreshold: 2,
          initialDelayMs: 1000,
        },
        liveness: { ...defaultReadiness, intervalMs: 5000 },
      },
      strategy: {
        kind: 'rolling',
        rolling: { maxSurge: '25%', maxUnavailable: 1, postDeployAnalysis: null },
      },
      drainTimeoutMs: 10_000,
      websocketDrainMs: 10_000,
      progressDeadlineMs: 120_000,
      rollbackWindow: 5,
      ...noAnalysis,
    },
    worker: {
      name: 'worker',
      replicas: 1,
      runtime: {
        kind: 'local',
        local: { command: ['node', 'worker.js', '--queue', 'jobs'], cwd: '.', env: {} },
      },
      routes: {},
      health: { readiness: defaultReadiness },
      strategy: {
        kind: 'rolling',
        rolling: { maxSurge: 1, maxUnavailable: 0, postDeployAnalysis: null },
      },
      drainTimeoutMs: 30_000,
      websocketDrainMs: 10_000,
      progressDeadlineMs: 600_000,
      rollbackWindow: 3,
      ...noAnalysis,
    },
  },
  warnings: [],
};

/** What each service of valid-strategies.yaml resolves its `strategy` to. */
const expectedStrategies: Readonly<Record<string, StrategyConfig>> = {
  web: {
    kind: 'canary',
    canary: {
      maxSurge: 1,
      stickySession: { cookie: 'ferry-version', maxAgeMs: null },
      abortScaleDownDelayMs: 60_000,
      analysis: null,
      baseline: false,
      judge: null,
      steps: [
        { kind: 'setCanaryScale', scale: { replicas: 1 } },
        {
          kind: 'setHeaderRoute',
          match: [
            { source: 'header', name: 'x-canary', kind: 'exact', value: 'yes' },
            { source: 'cookie', name: 'Beta', kind: 'prefix', value: 'opt-in' },
            { source: 'header', name: 'user-agent', kind: 'regex', value: '(iPhone|Android)' },
          ],
        },
        { kind: 'setWeight', weight: 12.5 },
        { kind: 'setMirror', percentage: 50 },
        { kind: 'pause', durationMs: 30_000 },
        { kind: 'setCanaryScale', scale: { weight: 50 } },
        { kind: 'setWeight', weight: 0.1 },
        { kind: 'pause', durationMs: null },
        { kind: 'setCanaryScale', scale: { matchTrafficWeight: true } },
        { kind: 'setHeaderRoute', match: [] },
        { kind: 'setMirror', percentage: 0 },
        { kind: 'setWeight', weight: 100 },
      ],
    },
  },
  api: {
    kind: 'canary',
    canary: {
      maxSurge: '25%',
      stickySession: { cookie: 'api-version', maxAgeMs: 3_600_000 },
      abortScaleDownDelayMs: 30_000,
      analysis: null,
      baseline: false,
      judge: null,
      steps: [{ kind: 'setWeight', weight: 50 }],
    },
  },
  admin: {
    kind: 'blueGreen',
    blueGreen: {
      previewRoutes: { prod: { host: '127.0.0.1', port: 9070 } },
      autoPromotionMs: 120_000,
      scaleDownDelayMs: 10_000,
      prePromotionSteps: [
        { kind: 'pause', durationMs: 5000 },
        { kind: 'pause', durationMs: null },
      ],
      prePromotionAnalysis: null,
      postPromotionAnalysis: null,
    },
  },
  jobs: {
    kind: 'blueGreen',
    blueGreen: {
      previewRoutes: {},
      autoPromotionMs: null,
      scaleDownDelayMs: 30_000,
      prePromotionSteps: [],
      prePromotionAnalysis: null,
      postPromotionAnalysis: null,
    },
  },
  plain: { kind: 'rolling', rolling: { maxSurge: 1, maxUnavailable: 0, postDeployAnalysis: null } },
};

describe('parseConfig', () => {
  it('resolves a full ferry.yaml: defaults filled, durations in ms, shell command wrapped', async () => {
    const config = await loadConfigFile(`${fixtures}/valid-full.yaml`);
    expect(config).toStrictEqual(expected);
  });

  it('resolves canary and blue-green strategies: every step kind, defaults, lower-cased headers', async () => {
    const config = await loadConfigFile(`${fixtures}/valid-strategies.yaml`);
    const strategies = Object.fromEntries(
      Object.values(config.services).map((service) => [service.name, service.strategy]),
    );
    expect(strategies).toStrictEqual(expectedStrategies);
  });

  it('reports every mistake of a file at once, in source order', () => {
    const text = readFileSync(`${fixtures}/many-mistakes.yaml`, 'utf8');
    const error = configErrorOf(() => parseConfig(text, 'ferry.yaml'));
    expect(error.format().split('\n')).toEqual([
      'ferry.yaml:4:11 environments[1].name: duplicate environment "prod", already declared at environments[0]; names must be unique',
      'ferry.yaml:10:19 services.web.runtime.local.replicas: expected an integer >= 1, got -1',
      'ferry.yaml:11:9 services.web.runtime.local.colour: unknown field "colour"; allowed fields are command, cwd, env, replicas, user',
      'ferry.yaml:14:7 services.web.routes.qa: unknown environment "qa"; declared environments are prod',
      'ferry.yaml:14:11 services.web.routes.qa: port 8080 on 127.0.0.1 is already used by services.web.routes.prod; give each route its own port',
      'ferry.yaml:16:30 services.web.health.readiness.interval: expected a duration such as 500ms, 10s or 5m, got "soon"',
      'ferry.yaml:17:19 services.web.drainTimeout: expected a duration such as 500ms, 10s or 5m, got "-1s"',
      'ferry.yaml:20:14 services.api.runtime.local.command: required field is missing (expected a command: a shell string such as "node server.js" or a list of strings such as [node, server.js])',
    ]);
    expect(error.message).toBe('ferry.yaml: 8 errors');
  });

  it('reads runtime.local.user, and says what a user must look like', () => {
    const yaml = (user: string) =>
      `apiVersion: ferry.dev/v1\nenvironments: [{ name: prod }]\nservices:\n  web:\n    runtime: { local: { command: node server.js, user: ${user} } }\n    routes: { prod: 127.0.0.1:8080 }\n`;
    expect(parseConfig(yaml('root'), 'ferry.yaml').services['web']?.runtime.local.user).toBe(
      'root',
    );
    expect(configErrorOf(() => parseConfig(yaml('"a b"'), 'ferry.yaml')).format()).toBe(
      'ferry.yaml:5:56 services.web.runtime.local.user: expected a user name such as nobody, or a numeric uid, got "a b"',
    );
  });

  it('reads router.timeouts, and says where a bad one is', () => {
    const yaml = (router: string) =>
      `apiVersion: ferry.dev/v1\nenvironments: [{ name: prod }]\nrouter: ${router}\nservices:\n  web:\n    runtime: { local: { command: node server.js } }\n    routes: { prod: 127.0.0.1:8080 }\n`;
    expect(
      parseConfig(yaml('{ timeouts: { headers: 5s, idle: 2m } }'), 'ferry.yaml').router,
    ).toEqual({ timeouts: { headersMs: 5_000, idleMs: 120_000 }, trustedProxies: [], workers: 1 });
    expect(
      configErrorOf(() =>
        parseConfig(yaml('{ timeouts: { headers: soon } }'), 'ferry.yaml'),
      ).format(),
    ).toBe(
      'ferry.yaml:3:32 router.timeouts.headers: expected a duration such as 500ms, 10s or 5m, got "soon"',
    );
    expect(
      configErrorOf(() => parseConfig(yaml('{ timeouts: { idle: 0s } }'), 'ferry.yaml')).format(),
    ).toBe('ferry.yaml:3:29 router.timeouts.idle: router.timeouts.idle must be above 0, e.g. 10s');
  });

  it('reads router.trustedProxies as subnets, and says where a bad CIDR is', () => {
    const yaml = (router: string) =>
      `apiVersion: ferry.dev/v1\nenvironments: [{ name: prod }]\nrouter:\n  trustedProxies: ${router}\nservices:\n  web:\n    runtime: { local: { command: node server.js } }\n    routes: { prod: 127.0.0.1:8080 }\n`;
    expect(
      parseConfig(yaml('[10.0.0.0/8, 127.0.0.1, "::1/128"]'), 'ferry.yaml').router.trustedProxies,
    ).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { address: '::1', prefix: 128, family: 'ipv6' },
    ]);
    expect(
      configErrorOf(() =>
        parseConfig(yaml('[10.0.0.0/8, 10.0.0.0/33, fd00::/129, proxy.local]'), 'ferry.yaml'),
      )
        .format()
        .split('\n'),
    ).toEqual([
      'ferry.yaml:4:32 router.trustedProxies[1]: expected a CIDR such as 10.0.0.0/8 or ::1/128, or an IP address, got "10.0.0.0/33"',
      'ferry.yaml:4:45 router.trustedProxies[2]: expected a CIDR such as 10.0.0.0/8 or ::1/128, or an IP address, got "fd00::/129"',
      'ferry.yaml:4:57 router.trustedProxies[3]: expected a CIDR such as 10.0.0.0/8 or ::1/128, or an IP address, got "proxy.local"',
    ]);
  });

  it('reads drain.websockets, at most drainTimeout, and says where a longer one is', () => {
    const yaml = (service: string) =>
      `apiVersion: ferry.dev/v1\nenvironments: [{ name: prod }]\nservices:\n  web:\n    runtime: { local: { command: node server.js } }\n${service}`;
    const websocketDrain = (service: string) =>
      parseConfig(yaml(service), 'ferry.yaml').services['web']?.websocketDrainMs;
    expect(websocketDrain('')).toBe(10_000);
    expect(websocketDrain('    drainTimeout: 3s\n')).toBe(3_000);
    expect(websocketDrain('    drainTimeout: 10m\n    drain: { websockets: 1s }\n')).toBe(1_000);
    expect(websocketDrain('    drain: { websockets: 0s }\n')).toBe(0);
    expect(
      configErrorOf(() =>
        parseConfig(yaml('    drainTimeout: 30s\n    drain: { websockets: 2m }\n'), 'ferry.yaml'),
      ).format(),
    ).toBe(
      'ferry.yaml:7:26 services.web.drain.websockets: 2m is longer than drainTimeout (30s), which closes every connection anyway; shorten it or lengthen drainTimeout',
    );
    expect(
      configErrorOf(() => parseConfig(yaml('    drain: { sockets: 1s }\n'), 'ferry.yaml')).format(),
    ).toMatch(/^ferry\.yaml:6:\d+ services\.web\.drain\.sockets: unknown field "sockets"/);
  });

  it('reads replicas at the service level; runtime.local.replicas still works, with a located warning', () => {
    const yaml = (service: string) =>
      `apiVersion: ferry.dev/v1\nenvironments: [{ name: prod }]\nservices:\n  web:\n${service}`;
    const current = parseConfig(
      yaml('    replicas: 3\n    runtime: { local: { command: node server.js } }\n'),
      'ferry.yaml',
    );
    expect(current.services['web']?.replicas).toBe(3);
    expect(current.services['web']?.runtime.kind).toBe('local');
    expect(current.warnings).toEqual([]);

    const old = parseConfig(
      yaml('    runtime:\n      local:\n        command: node server.js\n        replicas: 2\n'),
      'deploy/ferry.yaml',
    );
    expect(old.services['web']?.replicas).toBe(2);
    expect(old.services['web']?.runtime.local).not.toHaveProperty('replicas');
    expect(old.warnings).toEqual([
      {
        file: 'deploy/ferry.yaml',
        line: 8,
        col: 9,
        path: 'services.web.runtime.local.replicas',
        message: 'deprecated; move it to services.web.replicas',
      },
    ]);
  });

  it('defaults replicas to 1, and refuses replicas written in both places', () => {
    const yaml = (service: string) =>
      `apiVersion: ferry.dev/v1\nenvironments: [{ name: prod }]\nservices:\n  web:\n${service}`;
    const plain = yaml('    runtime: { local: { command: node server.js } }\n');
    expect(parseConfig(plain, 'ferry.yaml').services['web']?.replicas).toBe(1);
    const both = yaml(
      '    replicas: 3\n    runtime: { local: { command: node server.js, replicas: 2 } }\n',
    );
    expect(configErrorOf(() => parseConfig(both, 'ferry.yaml')).format()).toBe(
      'ferry.yaml:6:60 services.web.runtime.local.replicas: replicas is written both here and at the service level; remove this one (runtime.local.replicas is deprecated)',
    );
  });

  it('names the file as given in every location', () => {
    const error = configErrorOf(() => parseConfig('apiVersion: 1', 'deploy/ferry.yaml'));
    expect(error.format().split('\n')).toEqual([
      'deploy/ferry.yaml:1:1 environments: required field is missing (expected a list of environments)',
      'deploy/ferry.yaml:1:1 services: required field is missing (expected a map of services)',
      'deploy/ferry.yaml:1:13 apiVersion: expected "ferry.dev/v1", got 1',
    ]);
  });

  it('turns a YAML alias bomb into one located error instead of expanding it', () => {
    const levels = 'abcdefghi'.split('');
    const text = [
      'apiVersion: ferry.dev/v1',
      ...levels.map((name, i) =>
        i === 0
          ? `${name}: &${name} [x, x, x, x, x, x, x, x, x]`
          : `${name}: &${name} [${Array(9)
              .fill(`*${levels[i - 1]}`)
              .join(', ')}]`,
      ),
    ].join('\n');
    const error = configErrorOf(() => parseConfig(text, 'ferry.yaml'));
    expect(error.format()).toBe(
      'ferry.yaml:3:8 (yaml): aliases expand to too many values (Excessive alias count indicates a resource exhaustion attack); write the values out or use fewer aliases',
    );
  });
});

describe('loadConfigFile', () => {
  it('turns a missing file into a ConfigError that says so', async () => {
    const error = await loadConfigFile(`${fixtures}/nope.yaml`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).format()).toBe(
      `${fixtures}/nope.yaml (file): file not found; create it (see examples/ferry.yaml) or pass the path of your ferry.yaml`,
    );
  });
});
