import { describe, expect, it } from 'vitest';
import { serviceSchema } from '../../config/service-schema.js';
import { deploymentSchema, toDeploymentView } from './deployment-schemas.js';
import type { Deployment } from './domain/deployment.js';

const at = new Date(0).toISOString();
const base: Deployment = {
  id: 'd2',
  service: 'web',
  environment: 'prod',
  kind: 'deploy',
  artifactDigest: 'sha256:bb',
  version: 'v2',
  phase: 'Aborted',
  reason: 'instance i1 is crash-looping (5 restarts)',
  previousId: 'd1',
  spec: { name: 'web', ...serviceSchema.parse({ runtime: { local: { command: ['node'] } } }) },
  actor: 'user:ana',
  createdAt: at,
  updatedAt: at,
  lastProgressAt: at,
  finishedAt: null,
  rollout: null,
};

describe('the API view of a deployment', () => {
  it('gives the cause as data beside its sentence, and leaves it out when there is none', () => {
    const aborted = toDeploymentView({
      ...base,
      cause: { phase: 'Aborted', abort: { kind: 'crashLoop', instanceId: 'i1', restarts: 5 } },
    });
    const parsed = deploymentSchema.parse(aborted);
    expect(parsed.cause).toEqual({ kind: 'crashLoop', instanceId: 'i1', restarts: 5 });
    const paused = toDeploymentView({
      ...base,
      phase: 'Paused',
      cause: { phase: 'Paused', pause: { kind: 'person', actor: 'user:ana' } },
    });
    expect(paused.cause).toEqual({ kind: 'person', actor: 'user:ana' });
    expect('cause' in toDeploymentView({ ...base, phase: 'Succeeded', reason: null })).toBe(false);
  });
});
