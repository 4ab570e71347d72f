import type { Artifact, Deployment, FerryEvent, Instance, ServiceStatus } from './api-types.js';

/** API bodies for CLI tests, shaped exactly as the server sends them. Test-only. */
export function deploymentFixture(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'dep-1',
    service: 'web',
    environment: 'prod',
    kind: 'deploy',
    version: 'v2',
    artifactDigest: `sha256:${'ab'.repeat(32)}`,
    phase: 'Progressing',
    reason: null,
    previousId: null,
    actor: 'user:test',
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    finishedAt: null,
    ...overrides,
  };
}

export function artifactFixture(overrides: Partial<Artifact> = {}): Artifact {
  return {
    service: 'web',
    version: 'v2',
    digest: `sha256:${'ab'.repeat(32)}`,
    sourceCommit: null,
    branch: null,
    buildUrl: null,
    meta: {},
    sizeBytes: 2048,
    createdAt: '2025-01-02T03:04:00.000Z',
    ...overrides,
  };
}

export function instanceFixture(overrides: Partial<Instance> = {}): Instance {
  return {
    id: 'web-prod-1',
    service: 'web',
    environment: 'prod',
    version: 'v2',
    deploymentId: 'dep-1',
    intent: 'running',
    phase: 'ready',
    pid: 1234,
    port: 40001,
    restarts: 0,
    probe: null,
    createdAt: '2025-01-02T03:04:06.000Z',
    ...overrides,
  };
}

export function serviceFixture(overrides: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    name: 'web',
    environments: [
      {
        environment: 'prod',
        listen: '127.0.0.1:8080',
        replicas: 2,
        live: deploymentFixture({ id: 'dep-0', version: 'v1', phase: 'Succeeded' }),
        active: deploymentFixture(),
        instances: [instanceFixture(), instanceFixture({ id: 'web-prod-2', phase: 'starting' })],
      },
    ],
    ...overrides,
  };
}

export function eventFixture(overrides: Partial<FerryEvent> = {}): FerryEvent {
  return {
    id: 1,
    time: '2025-01-02T03:04:05.000Z',
    actor: 'user:test',
    kind: 'deployment.created',
    subject: 'deployment/dep-1',
    payload: { version: 'v2', reason: 'two words' },
    ...overrides,
  };
}
