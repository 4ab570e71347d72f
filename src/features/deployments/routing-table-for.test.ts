import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.js';
import { noCanaryTraffic } from './domain/canary-traffic.js';
import type { Deployment } from './domain/deployment.js';
import { twoVersionTables } from './routing-table-for.js';

function canaryDeployment(stickySession: string): Deployment {
  const config = parseConfig(
    `apiVersion: ferry.dev/v1
environments: [{ name: prod }]
services:
  web:
    runtime: { local: { command: node server.js } }
    routes: { prod: 127.0.0.1:8080 }
    strategy: { canary: { stickySession: ${stickySession}, steps: [setWeight: 10] } }
`,
    'ferry.yaml',
  );
  const at = '2025-06-01T12:00:00.000Z';
  return {
    id: 'dep-2',
    service: 'web',
    environment: 'prod',
    kind: 'deploy',
    artifactDigest: `sha256:${'ab'.repeat(32)}`,
    version: 'v2',
    phase: 'Progressing',
    reason: null,
    previousId: 'dep-1',
    spec: config.services.web!,
    actor: 'user:test',
    createdAt: at,
    updatedAt: at,
    lastProgressAt: at,
    finishedAt: null,
    rollout: null,
  };
}

const sticky = (stickySession: string) =>
  twoVersionTables(
    canaryDeployment(stickySession),
    { kind: 'canary', traffic: noCanaryTraffic },
    [],
    [],
  ).main.sticky;

describe('twoVersionTables', () => {
  it("gives a canary's sticky cookie its max age in whole seconds, or none for a session cookie", () => {
    expect(sticky('{ cookie: ferry-pin, maxAge: 90m }')).toEqual({
      cookie: 'ferry-pin',
      maxAgeSeconds: 5_400,
    });
    expect(sticky('true')).toEqual({ cookie: 'ferry-version' });
    expect(sticky('false')).toBeNull();
  });
});
