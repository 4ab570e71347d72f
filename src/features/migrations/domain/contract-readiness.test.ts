import { beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentPhase } from '../../deployments/domain/deployment.js';
import { ManualClock } from '../../../shared/clock.js';
import {
  contractReadiness,
  deploymentOrder,
  describeContractWait,
  formatMs,
  type DeploymentFact,
  type InstanceFact,
} from './contract-readiness.js';

const minute = 60_000;
const start = Date.parse('2026-03-01T10:00:00.000Z');
const v1 = { digest: 'sha256:1', version: 'v1' };
const v3 = { digest: 'sha256:3', version: 'v3' };
const v4 = { digest: 'sha256:4', version: 'v4' };

let clock: ManualClock;
/** Oldest first while building; `newestFirst()` gives what the store lists. */
let built: DeploymentFact[];

beforeEach(() => {
  clock = new ManualClock(start);
  built = [];
});

/** A deployment of `artifact` that ended now in `phase` (or is still in it when active). */
function deployed(artifact: typeof v1, phase: DeploymentPhase = 'Succeeded'): DeploymentFact {
  const previous = [...built].reverse().find((d) => d.phase === 'Succeeded');
  const ended = ['Succeeded', 'Failed', 'Aborted', 'RolledBack'].includes(phase);
  const fact = {
    id: `dep-${built.length + 1}`,
    artifactDigest: artifact.digest,
    version: artifact.version,
    phase,
    previousId: previous?.id ?? null,
    finishedAt: ended ? new Date(clock.now()).toISOString() : null,
  };
  built.push(fact);
  return fact;
}

function running(artifact: typeof v1, count: number): InstanceFact[] {
  return Array.from({ length: count }, () => ({
    artifactDigest: artifact.digest,
    version: artifact.version,
  }));
}

function check(instances: readonly InstanceFact[] = [], contractAfterMs = 60 * minute, soakMs = 0) {
  return contractReadiness({
    shippedIn: v3,
    history: [...built].reverse(),
    instances,
    contractAfterMs,
    soakMs,
    now: clock.now(),
  });
}

describe('contractReadiness', () => {
  it('waits for N to go live when it was never deployed in the environment', () => {
    deployed(v1);
    expect(check(running(v1, 2))).toEqual({
      ready: false,
      waits: [{ kind: 'not-live', version: 'v3', live: 'v1' }],
    });
  });

  it('while N rolls out: not live, the stable side is older, and its instances still run', () => {
    deployed(v1);
    deployed(v3, 'Progressing');
    expect(check([...running(v1, 2), ...running(v3, 1)])).toEqual({
      ready: false,
      waits: [
        { kind: 'not-live', version: 'v3', live: 'v1' },
        { kind: 'older-rollout', version: 'v1', deploymentId: 'dep-2', rollingOut: 'v3' },
        { kind: 'older-running', version: 'v1', instances: 2 },
      ],
    });
  });

  it('waits for the rollback window after N went live, then is ready', () => {
    deployed(v1);
    deployed(v3);
    clock.advance(30 * minute);
    expect(check(running(v3, 2))).toEqual({
      ready: false,
      waits: [
        {
          kind: 'window',
          version: 'v3',
          liveSince: '2026-03-01T10:00:00.000Z',
          until: '2026-03-01T11:00:00.000Z',
          waitMs: 60 * minute,
        },
      ],
    });
    clock.advance(30 * minute - 1);
    expect(check(running(v3, 2)).ready).toBe(false);
    clock.advance(1);
    expect(check(running(v3, 2))).toEqual({ ready: true });
  });

  it("takes the environment's soak when it is longer than contractAfter", () => {
    deployed(v3);
    clock.advance(61 * minute);
    const result = check([], 60 * minute, 90 * minute);
    expect(result).toMatchObject({
      waits: [{ kind: 'window', until: '2026-03-01T11:30:00.000Z' }],
    });
    clock.advance(29 * minute);
    expect(check([], 60 * minute, 90 * minute)).toEqual({ ready: true });
  });

  it('is not live after a rollback to an older version, and the window restarts on redeploy', () => {
    deployed(v1);
    deployed(v3);
    clock.advance(2 * 60 * minute);
    deployed(v1);
    expect(check(running(v1, 1))).toEqual({
      ready: false,
      waits: [
        { kind: 'not-live', version: 'v3', live: 'v1' },
        { kind: 'older-running', version: 'v1', instances: 1 },
      ],
    });
    clock.advance(10 * minute);
    deployed(v3);
    clock.advance(59 * minute);
    expect(check()).toMatchObject({
      waits: [{ kind: 'window', liveSince: '2026-03-01T12:10:00.000Z' }],
    });
    clock.advance(minute);
    expect(check()).toEqual({ ready: true });
  });

  it('counts from N going live when a later version is live now', () => {
    deployed(v1);
    deployed(v3);
    clock.advance(40 * minute);
    deployed(v4);
    clock.advance(20 * minute);
    expect(check(running(v4, 2))).toEqual({ ready: true });
  });

  it("waits for blue-green's kept stack or a drain of the older version", () => {
    deployed(v1);
    deployed(v3);
    clock.advance(2 * 60 * minute);
    expect(check([...running(v3, 2), ...running(v1, 2)])).toEqual({
      ready: false,
      waits: [{ kind: 'older-running', version: 'v1', instances: 2 }],
    });
  });

  it('does not wait for a rollout of a later version whose stable side is N', () => {
    deployed(v1);
    deployed(v3);
    clock.advance(2 * 60 * minute);
    deployed(v4, 'Paused');
    expect(check([...running(v3, 2), ...running(v4, 1)])).toEqual({ ready: true });
  });

  it('waits while a rollback to an older version is in progress', () => {
    deployed(v1);
    deployed(v3);
    clock.advance(2 * 60 * minute);
    deployed(v1, 'Progressing');
    expect(check(running(v3, 2))).toEqual({
      ready: false,
      waits: [{ kind: 'older-rollout', version: 'v1', deploymentId: 'dep-3', rollingOut: 'v1' }],
    });
  });

  it('has nothing live when the newest deployment failed', () => {
    deployed(v3);
    clock.advance(2 * 60 * minute);
    deployed(v4, 'Failed');
    expect(check()).toEqual({
      ready: false,
      waits: [{ kind: 'not-live', version: 'v3', live: null }],
    });
  });

  it('ignores instances of artifacts never deployed in the environment', () => {
    deployed(v3);
    clock.advance(2 * 60 * minute);
    expect(check(running({ digest: 'sha256:other', version: 'x' }, 1))).toEqual({ ready: true });
  });
});

describe('deploymentOrder', () => {
  it('places each artifact by its first deployment; a rollback keeps the old place', () => {
    deployed(v1);
    deployed(v3);
    deployed(v1);
    deployed(v4);
    expect([...deploymentOrder([...built].reverse())]).toEqual([
      ['sha256:1', 0],
      ['sha256:3', 1],
      ['sha256:4', 2],
    ]);
  });
});

describe('describeContractWait', () => {
  it('renders each reason as one line', () => {
    expect(
      [
        { kind: 'not-live', version: 'v3', live: null } as const,
        { kind: 'not-live', version: 'v3', live: 'v1' } as const,
        {
          kind: 'window',
          version: 'v3',
          liveSince: '2026-03-01T10:00:00.000Z',
          until: '2026-03-01T11:30:00.000Z',
          waitMs: 90 * minute,
        } as const,
        { kind: 'older-running', version: 'v1', instances: 1 } as const,
        { kind: 'older-running', version: 'v1', instances: 2 } as const,
        { kind: 'older-rollout', version: 'v1', deploymentId: 'dep-3', rollingOut: 'v1' } as const,
        { kind: 'older-rollout', version: 'v1', deploymentId: 'dep-2', rollingOut: 'v3' } as const,
      ].map((wait) => describeContractWait(wait, 'prod')),
    ).toEqual([
      'v3 is not live in prod: nothing is',
      'v3 is not live in prod: the older v1 is',
      'v3 went live in prod at 2026-03-01T10:00:00.000Z; its rollback window and soak (1h30m) last until 2026-03-01T11:30:00.000Z',
      '1 instance of the older v1 still runs in prod (a drain or a kept blue-green stack)',
      '2 instances of the older v1 still run in prod (a drain or a kept blue-green stack)',
      'dep-3 rolls the older v1 out in prod',
      'dep-2 rolls v3 out in prod; an abort sends traffic back to the older v1',
    ]);
  });

  it('formats durations', () => {
    expect([0, 90_000, 3_600_000, 5_400_000].map(formatMs)).toEqual(['0s', '1m30s', '1h', '1h30m']);
  });
});
