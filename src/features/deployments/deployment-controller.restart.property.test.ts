import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  controllerHarness,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

/** A canary with weights, timed pauses and an analysis step. */
const canary = `    replicas: 2
    analysis:
      errors:
        interval: 10s
        count: 2
        metrics:
          - { name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.05 }
    strategy:
      canary:
        abortScaleDownDelay: 0s
        steps:
          - setWeight: 25
          - pause: { duration: 30s }
          - analysis: { templates: [errors] }
          - setWeight: 50
          - pause: { duration: 30s }`;

/**
 * The service of each story; `failingCanary` is the canary with v2 failing its analysis, so the
 * controller aborts it.
 */
const services = {
  canary,
  failingCanary: canary,
  blueGreen: `    replicas: 2
    strategy:
      blueGreen:
        previewRoutes: { prod: 127.0.0.1:18081 }
        autoPromotion: 30s
        scaleDownDelay: 30s`,
  rolling: `    replicas: 3
    strategy:
      rolling: { maxSurge: 1, maxUnavailable: 0 }`,
} as const;
type Strategy = keyof typeof services;
const strategies = Object.keys(services) as Strategy[];

/** What the story ends with, as a user sees it. */
interface Outcome {
  readonly phase: string;
  readonly version: string;
  /** Versions of the instances the store says run, sorted. */
  readonly liveVersions: readonly string[];
  /** Versions of what the runtime runs, sorted: no orphan, nothing missing. */
  readonly runningVersions: readonly string[];
  readonly split: Readonly<Record<string, number>>;
  /** Upstreams of the route by track, as versions. */
  readonly upstreams: Readonly<Record<string, readonly string[]>>;
  /** Whether blue-green's preview route is still open. */
  readonly preview: boolean;
}

/**
 * v1 live, then v2 rolled out to the end. A server that dies on the way is replaced by a new
 * one on the same stores, runtime and router, and a deploy cut short is asked again, as a person
 * whose command failed would. Time goes on until the rollout ends.
 */
async function story(h: ControllerHarness, strategy: Strategy): Promise<Outcome> {
  const survive = async (action: () => Promise<unknown>, redo?: () => Promise<boolean>) => {
    await action();
    if (!h.server.life.dead) return;
    await h.restart();
    await h.runUntilSettled();
    if (redo && (await redo())) await action();
  };
  const notDeployed = (version: string) => async () => {
    const history = await h.world.stores.deployments.list(
      { service: 'web', environment: 'prod' },
      5,
    );
    return !history.some((d) => d.version === version);
  };
  await survive(() => h.deploy('v1'), notDeployed('v1'));
  if (strategy === 'failingCanary') h.world.metrics.set('error_rate', 0.5);
  await survive(() => h.deploy('v2'), notDeployed('v2'));
  for (let round = 0; round < 30; round += 1) {
    const latest = await h.latest();
    if (latest.version === 'v2' && !['Progressing', 'Paused'].includes(latest.phase)) break;
    await survive(() => h.advance(10_000));
  }
  const latest = await h.latest();
  const table = h.table();
  const versionsOf = (track: 'stable' | 'canary') =>
    (table?.backends[track] ?? []).map((u) => u.version).sort();
  return {
    phase: latest.phase,
    version: latest.version,
    liveVersions: (await h.live()).map((i) => i.version).sort(),
    runningVersions: h.runningVersions(),
    split: h.split(),
    upstreams: { stable: versionsOf('stable'), canary: versionsOf('canary') },
    preview: h.table('preview') !== undefined,
  };
}

async function run(
  strategy: Strategy,
  killAfterWrites?: number,
): Promise<{ outcome: Outcome; writes: number; restarts: number }> {
  const h = await controllerHarness({ service: services[strategy], killAfterWrites });
  try {
    const outcome = await story(h, strategy);
    return { outcome, writes: h.server.life.writeCount, restarts: h.restarts };
  } finally {
    await h.dispose();
  }
}

/** How each story ends when nothing interrupts it. */
function expected(strategy: Strategy): Outcome {
  const versions = (version: string) => Array<string>(strategy === 'rolling' ? 3 : 2).fill(version);
  const live = strategy === 'failingCanary' ? 'v1' : 'v2';
  return {
    phase: strategy === 'failingCanary' ? 'Aborted' : 'Succeeded',
    version: 'v2',
    liveVersions: versions(live),
    runningVersions: versions(live),
    split: { [live]: 100 },
    upstreams: { stable: versions(live), canary: [] },
    preview: false,
  };
}

describe('a controller killed after any persisted write', () => {
  it('reaches the outcome of an uninterrupted run once a new server takes over', async () => {
    const uninterrupted = new Map<Strategy, { outcome: Outcome; writes: number }>();
    for (const strategy of strategies) {
      const { outcome, writes } = await run(strategy);
      expect(outcome).toEqual(expected(strategy));
      uninterrupted.set(strategy, { outcome, writes });
    }

    // Which strategy, and after which of its writes the server dies.
    const cases = fc
      .constantFrom(...strategies)
      .chain((strategy) =>
        fc.tuple(
          fc.constant(strategy),
          fc.integer({ min: 1, max: uninterrupted.get(strategy)!.writes }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(cases, async ([strategy, k]) => {
        const interrupted = await run(strategy, k);
        // The server did die and a new one took over (k is never past the last write).
        expect(interrupted.restarts).toBe(1);
        expect(interrupted.outcome).toEqual(uninterrupted.get(strategy)!.outcome);
      }),
      { numRuns: 16 },
    );
  });
});
