import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load-config.js';
import { describeApply } from './apply-plan.js';
import { diffConfig, isEmptyDiff } from './config-diff.js';

/** A two-environment ferry.yaml; `web` varies by what the test passes. */
function yaml(
  options: {
    replicas?: number;
    env?: string;
    prodRoute?: string;
    strategy?: string;
    worker?: boolean;
    router?: string;
    soak?: string;
    prodPlane?: string;
  } = {},
) {
  return `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod${options.soak ? `\n    soak: ${options.soak}` : ''}${options.prodPlane ? `\n    dataPlane: ${options.prodPlane}` : ''}
${options.router ?? ''}
services:
  web:
    replicas: ${options.replicas ?? 1}
    runtime:
      local:
        command: node server.js
        env: { GREETING: ${options.env ?? 'hello'} }
    routes: { staging: 127.0.0.1:18081, prod: ${options.prodRoute ?? '127.0.0.1:18080'} }
    strategy: ${options.strategy ?? '{ rolling: { maxSurge: 1, maxUnavailable: 0 } }'}
${
  options.worker === false
    ? ''
    : `  worker:
    runtime:
      local: { command: node worker.js }
    routes: { prod: 127.0.0.1:18090 }
`
}`;
}
const config = (options: Parameters<typeof yaml>[0] = {}) =>
  parseConfig(yaml(options), 'ferry.yaml');

describe('diffConfig', () => {
  it('finds nothing between a configuration and itself', () => {
    const diff = diffConfig(config(), config());
    expect(isEmptyDiff(diff)).toBe(true);
    expect(
      describeApply({ file: 'ferry.yaml', applied: false, dryRun: true, diff, actions: [] }),
    ).toEqual(['ferry.yaml: no changes']);
  });

  it('says which fields of a service changed, per environment, and which need new instances', () => {
    const diff = diffConfig(
      config(),
      config({ replicas: 2, env: 'bonjour', strategy: '{ rolling: { maxSurge: 2 } }' }),
    );
    expect(diff.services.changed).toEqual([
      {
        name: 'web',
        fields: ['replicas', 'runtime.local.env.GREETING', 'strategy.rolling.maxSurge'],
      },
    ]);
    expect(diff.targetsChanged).toEqual([
      {
        service: 'web',
        environment: 'staging',
        rollout: ['replicas', 'runtime.local.env.GREETING'],
        next: ['strategy.rolling.maxSurge'],
      },
      {
        service: 'web',
        environment: 'prod',
        rollout: ['replicas', 'runtime.local.env.GREETING'],
        next: ['strategy.rolling.maxSurge'],
      },
    ]);
    expect(diff.restartNeeded).toEqual([]);
  });

  it('compares each environment’s effective spec: an override changes only its environment', () => {
    const before = config();
    const after = parseConfig(
      yaml().replace(
        '    strategy: {',
        '    overrides:\n      prod: { replicas: 3, env: { GREETING: hej } }\n    strategy: {',
      ),
      'ferry.yaml',
    );
    expect(diffConfig(before, after).targetsChanged).toEqual([
      {
        service: 'web',
        environment: 'prod',
        rollout: ['replicas', 'runtime.local.env.GREETING'],
        next: [],
      },
    ]);
  });

  it('rolls out only the environment whose route moved', () => {
    const diff = diffConfig(config(), config({ prodRoute: '127.0.0.1:18085' }));
    expect(diff.targetsChanged).toEqual([
      { service: 'web', environment: 'prod', rollout: ['routes.prod'], next: [] },
    ]);
  });

  it('lists removed services and the service/environment pairs they leave', () => {
    const diff = diffConfig(config(), config({ worker: false }));
    expect(diff.services.removed).toEqual(['worker']);
    expect(diff.targetsRemoved).toEqual([{ service: 'worker', environment: 'prod' }]);
    expect(diffConfig(config({ worker: false }), config()).targetsAdded).toEqual([
      { service: 'worker', environment: 'prod' },
    ]);
  });

  it('reports environment changes with their fields', () => {
    const diff = diffConfig(config(), config({ soak: '10m' }));
    expect(diff.environments.changed).toEqual([{ name: 'prod', fields: ['soakMs'] }]);
    expect(diff.targetsChanged).toEqual([]);
  });

  it('marks router settings and data planes as needing a restart', () => {
    const diff = diffConfig(
      config(),
      config({ router: 'router:\n  workers: 2', prodPlane: 'haproxy' }),
    );
    expect(diff.restartNeeded.map((r) => r.path)).toEqual([
      'router.workers',
      'environments[1].dataPlane',
    ]);
  });
});
