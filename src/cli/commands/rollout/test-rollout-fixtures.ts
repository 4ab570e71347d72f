import type { RolloutView } from '../../api-types.js';
import { deploymentFixture } from '../../test-api-fixtures.js';

/** A canary paused at its second step, shaped as `GET /rollouts/web/prod` sends it. Test-only. */
export function rolloutViewFixture(overrides: Partial<RolloutView> = {}): RolloutView {
  return {
    service: 'web',
    environment: 'prod',
    deployment: deploymentFixture({
      id: 'dep-7',
      phase: 'Paused',
      reason: 'paused at step 2/3: run "ferry rollout promote" to go on',
      previousId: 'dep-6',
    }),
    strategy: 'canary',
    steps: [
      { index: 0, text: 'setWeight 10%', state: 'done' },
      { index: 1, text: 'pause (until promoted)', state: 'current' },
      { index: 2, text: 'setWeight 50%', state: 'pending' },
    ],
    traffic: {
      canaryWeight: 10,
      baselineWeight: 0,
      matches: ['header x-canary exact "yes"'],
      mirrorPercent: 50,
      active: null,
      preview: false,
    },
    tracks: [
      {
        track: 'stable',
        version: 'v1',
        ready: 2,
        total: 2,
        requests: 1200,
        errors5xx: 3,
        p50Ms: 12,
        p95Ms: 40.25,
        p99Ms: 81,
        headerMatches: 0,
        cookieMatches: 0,
      },
      {
        track: 'canary',
        version: 'v2',
        ready: 1,
        total: 1,
        requests: null,
        errors5xx: null,
        p50Ms: null,
        p95Ms: null,
        p99Ms: null,
        headerMatches: null,
        cookieMatches: null,
      },
    ],
    mirror: { sent: 600, skipped: 3, failed: 1 },
    ...overrides,
  };
}
