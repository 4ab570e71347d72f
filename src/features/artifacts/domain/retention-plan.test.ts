import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deploymentPhases, type DeploymentPhase } from '../../deployments/domain/deployment.js';
import {
  describeKeepReason,
  liveDigest,
  planRetention,
  type RetentionEnvironment,
} from './retention-plan.js';

const d = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
/** v9 … v1, newest first. */
const artifacts = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ version: `v${count - i}`, digest: d(count - i) }));
const ran = (n: number, phase: DeploymentPhase = 'Succeeded') => ({ artifactDigest: d(n), phase });
const env = (
  name: string,
  from: string | null,
  history: RetentionEnvironment['history'],
): RetentionEnvironment => ({ name, from, history });

const verdicts = (plan: ReturnType<typeof planRetention>) =>
  Object.fromEntries(
    plan.map((p) => [p.version, p.keep ? p.reasons.map(describeKeepReason).join('; ') : 'delete']),
  );

describe('planRetention', () => {
  it('keeps the newest N and every live, rollback-window, rolling-out or promotable one', () => {
    const plan = planRetention({
      artifacts: artifacts(9),
      keep: 2,
      rollbackWindow: 1,
      environments: [
        // dev runs v7; v6 was live before it (window 1), v5 before that (outside the window).
        env('dev', null, [ran(7), ran(6), ran(5)]),
        // staging: a canary of v4 is paused over live v3.
        env('staging', 'dev', [ran(4, 'Paused'), ran(3)]),
        // prod: v2 failed and nothing is live; v1 succeeded before (window 1).
        env('prod', 'staging', [ran(2, 'Failed'), ran(1)]),
      ],
    });
    expect(verdicts(plan)).toEqual({
      v9: 'newest 2 (#1)',
      v8: 'newest 2 (#2)',
      v7: 'live in dev; promotable from dev to staging',
      v6: 'rollback window of dev (revision 1)',
      v5: 'delete',
      v4: 'rollout in staging not finished',
      v3: 'live in staging; promotable from staging to prod',
      v2: 'delete',
      v1: 'rollback window of prod (revision 1)',
    });
  });

  it('keeps an aborted canary (it can be retried), and shares reasons between versions of one digest', () => {
    const plan = planRetention({
      artifacts: [
        { version: 'b', digest: d(2) },
        { version: 'a', digest: d(1) },
        { version: 'a-again', digest: d(1) },
      ],
      keep: 1,
      rollbackWindow: 0,
      environments: [env('prod', null, [ran(1, 'Aborted'), ran(3)])],
    });
    expect(verdicts(plan)).toEqual({
      b: 'newest 1 (#1)',
      a: 'rollout in prod not finished',
      'a-again': 'rollout in prod not finished',
    });
  });

  it('reads live as the deployment service does: nothing when the newest failed', () => {
    expect(liveDigest([ran(2, 'Failed'), ran(1)])).toBeUndefined();
    expect(liveDigest([ran(3, 'RolledBack'), ran(2, 'Progressing'), ran(1)])).toBe(d(1));
    expect(liveDigest([])).toBeUndefined();
  });

  it('never deletes a live, newest, in-window or rolling-out artifact (any history)', () => {
    const phase = fc.constantFrom(...deploymentPhases);
    const history = fc.array(fc.record({ n: fc.integer({ min: 1, max: 12 }), phase }), {
      maxLength: 15,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(history, { minLength: 1, maxLength: 3 }),
        (count, keep, window, histories) => {
          const environments = histories.map((h, i) =>
            env(
              `e${i}`,
              i === 0 ? null : `e${i - 1}`,
              h.map((r) => ran(r.n, r.phase)),
            ),
          );
          const plan = planRetention({
            artifacts: artifacts(count),
            keep,
            rollbackWindow: window,
            environments,
          });
          expect(plan.map((p) => p.version)).toEqual(artifacts(count).map((a) => a.version));
          const deleted = new Set(plan.filter((p) => !p.keep).map((p) => p.digest));
          plan.slice(0, keep).forEach((p) => expect(p.keep).toBe(true));
          for (const e of environments) {
            const live = liveDigest(e.history);
            if (live) expect(deleted.has(live)).toBe(false);
            const latest = e.history[0];
            if (
              latest &&
              ['Progressing', 'Paused', 'RollingBack', 'Aborted'].includes(latest.phase)
            )
              expect(deleted.has(latest.artifactDigest)).toBe(false);
          }
          plan.filter((p) => p.keep).forEach((p) => expect(p.reasons.length).toBeGreaterThan(0));
        },
      ),
    );
  });
});
