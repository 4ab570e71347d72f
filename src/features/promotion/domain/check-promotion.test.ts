import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../deployments/domain/deployment.js';
import { checkPromotion, type UpstreamFacts } from './check-promotion.js';
import { describeBlocker } from './promotion-blocker.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

function deployment(fields: Partial<Deployment>): Deployment {
  return {
    id: 'dep-1',
    service: 'web',
    environment: 'staging',
    kind: 'deploy',
    artifactDigest: `sha256:${'a'.repeat(64)}`,
    version: 'v1',
    phase: 'Succeeded',
    reason: null,
    previousId: null,
    spec: {} as Deployment['spec'],
    actor: 'user:test',
    createdAt: at(0),
    updatedAt: at(1_000),
    lastProgressAt: at(1_000),
    finishedAt: at(1_000),
    rollout: null,
    ...fields,
  };
}

const target = { environment: 'prod', soakMs: 60_000, require: [], active: undefined };
const upstream = (fields: Partial<UpstreamFacts>): UpstreamFacts => {
  const live = deployment({});
  return {
    environment: 'staging',
    latest: live,
    live,
    stopped: false,
    unhealthy: undefined,
    ...fields,
  };
};
const reasons = (facts: UpstreamFacts, now = 61_000, active?: Deployment) =>
  checkPromotion(facts, { ...target, active }, [], t0 + now).map((b) => describeBlocker(b, 'v1'));

describe('checkPromotion', () => {
  it('lets a healthy, soaked upstream through', () => {
    expect(reasons(upstream({}))).toEqual([]);
  });

  it('counts soak from when the upstream deployment went live, to the millisecond', () => {
    expect(reasons(upstream({}), 60_999)).toEqual(['soak not met: 1ms of 1m left in staging']);
    expect(reasons(upstream({}), 61_000)).toEqual([]);
  });

  it('names an unhealthy upstream with what is wrong', () => {
    expect(reasons(upstream({ unhealthy: '1 of 2 instances of v1 ready' }))).toEqual([
      'unhealthy in staging: 1 of 2 instances of v1 ready',
    ]);
  });

  it('waits for a rollout upstream, and one in the target, both at once', () => {
    const rolling = deployment({
      id: 'dep-2',
      version: 'v2',
      phase: 'Progressing',
      finishedAt: null,
    });
    const active = deployment({ id: 'dep-9', environment: 'prod', version: 'v0', phase: 'Paused' });
    expect(reasons(upstream({ latest: rolling }), 61_000, active)).toEqual([
      'prod is already rolling out v0 (dep-9)',
      'staging is rolling out v2 (dep-2): wait until it ends',
    ]);
  });

  it('refuses an upstream whose last rollout was aborted or failed, and a stopped one', () => {
    const aborted = deployment({ id: 'dep-3', version: 'v2', phase: 'Aborted' });
    expect(reasons(upstream({ latest: aborted, stopped: true }))).toEqual([
      'stopped in staging: "ferry start" it there first',
      "staging's last rollout of v2 ended Aborted (dep-3): fix it there first",
    ]);
  });

  it('says never deployed, and nothing else, when the upstream has no deployment', () => {
    expect(reasons(upstream({ latest: undefined, live: undefined }))).toEqual([
      'never deployed to staging: nothing is live there to promote',
    ]);
  });
});
