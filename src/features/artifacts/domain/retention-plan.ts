import type { DeploymentPhase } from '../../deployments/domain/deployment.js';

/** Why retention keeps an artifact; an artifact kept for none of these is deleted. */
export type KeepReason =
  /** Among the newest `keep` of its service (1 = newest). */
  | { readonly kind: 'newest'; readonly rank: number; readonly keep: number }
  /** What the environment serves now. */
  | { readonly kind: 'live'; readonly environment: string }
  /** Among the last `rollbackWindow` versions live in the environment before the current one. */
  | { readonly kind: 'rollbackWindow'; readonly environment: string; readonly revision: number }
  /** A rollout of it is running, paused or aborted (and can be retried) in the environment. */
  | { readonly kind: 'activeRollout'; readonly environment: string }
  /** Live in `from`, which `to` promotes from: the next promotion deploys exactly it. */
  | { readonly kind: 'promotable'; readonly from: string; readonly to: string };

/** What retention needs of one deployment. */
export interface RetentionDeployment {
  readonly artifactDigest: string;
  readonly phase: DeploymentPhase;
}

/** One environment of the service: where it promotes from and the service's history in it. */
export interface RetentionEnvironment {
  readonly name: string;
  /** The environment it promotes from (`EnvironmentConfig.from`); null for the first. */
  readonly from: string | null;
  /** The service's deployments in it, newest first. */
  readonly history: readonly RetentionDeployment[];
}

export interface RetentionInput {
  /** The service's artifacts, newest first. */
  readonly artifacts: readonly { readonly version: string; readonly digest: string }[];
  /** `artifacts.retention.keep`. */
  readonly keep: number;
  /** The service's `rollbackWindow.revisions`. */
  readonly rollbackWindow: number;
  readonly environments: readonly RetentionEnvironment[];
}

/** The verdict on one artifact: kept with every reason, or deleted (no reason). */
export interface RetentionDecision {
  readonly version: string;
  readonly digest: string;
  readonly keep: boolean;
  readonly reasons: readonly KeepReason[];
}

/** Phases in which a rollout still holds its artifact: in progress, or aborted and retryable. */
const rolloutPhases: readonly DeploymentPhase[] = [
  'Progressing',
  'Paused',
  'RollingBack',
  'Aborted',
];

/**
 * Decides which artifacts of one service retention keeps: the newest `keep`, plus, whatever
 * their age, every artifact live in an environment, within its rollback window, in a rollout
 * that is not finished, or promotable into the next environment. Reasons are found by digest, so
 * versions sharing a digest share them. Pure: the caller reads the state and acts on the plan.
 *
 * @example planRetention({ artifacts, keep: 10, rollbackWindow: 3, environments }).filter((d) => !d.keep)
 */
export function planRetention(input: RetentionInput): RetentionDecision[] {
  const byDigest = new Map<string, KeepReason[]>();
  const hold = (digest: string, reason: KeepReason) => {
    const reasons = byDigest.get(digest) ?? [];
    reasons.push(reason);
    byDigest.set(digest, reasons);
  };
  const live = new Map<string, string>();
  for (const env of input.environments) {
    const digest = liveDigest(env.history);
    if (digest !== undefined) {
      live.set(env.name, digest);
      hold(digest, { kind: 'live', environment: env.name });
    }
    const latest = env.history[0];
    if (latest && rolloutPhases.includes(latest.phase)) {
      hold(latest.artifactDigest, { kind: 'activeRollout', environment: env.name });
    }
    wasLiveBefore(env.history, digest)
      .slice(0, input.rollbackWindow)
      .forEach((d, i) =>
        hold(d, { kind: 'rollbackWindow', environment: env.name, revision: i + 1 }),
      );
  }
  for (const env of input.environments) {
    const upstream = env.from === null ? undefined : live.get(env.from);
    if (env.from !== null && upstream !== undefined) {
      hold(upstream, { kind: 'promotable', from: env.from, to: env.name });
    }
  }
  return input.artifacts.map((artifact, index) => {
    const reasons: KeepReason[] =
      index < input.keep ? [{ kind: 'newest', rank: index + 1, keep: input.keep }] : [];
    reasons.push(...(byDigest.get(artifact.digest) ?? []));
    return { ...artifact, keep: reasons.length > 0, reasons };
  });
}

/** What an environment serves: its newest succeeded deployment, unless its newest one failed. */
export function liveDigest(history: readonly RetentionDeployment[]): string | undefined {
  if (history[0]?.phase === 'Failed') return undefined;
  return history.find((d) => d.phase === 'Succeeded')?.artifactDigest;
}

/** Distinct digests that succeeded before, newest first, the live one left out (as rollbackPath). */
function wasLiveBefore(
  history: readonly RetentionDeployment[],
  live: string | undefined,
): string[] {
  const digests: string[] = [];
  for (const d of history) {
    if (d.phase !== 'Succeeded' || d.artifactDigest === live) continue;
    if (!digests.includes(d.artifactDigest)) digests.push(d.artifactDigest);
  }
  return digests;
}

/** One reason as people read it: `live in prod`, `rollback window of prod (revision 2)`. */
export function describeKeepReason(reason: KeepReason): string {
  switch (reason.kind) {
    case 'newest':
      return `newest ${reason.keep} (#${reason.rank})`;
    case 'live':
      return `live in ${reason.environment}`;
    case 'rollbackWindow':
      return `rollback window of ${reason.environment} (revision ${reason.revision})`;
    case 'activeRollout':
      return `rollout in ${reason.environment} not finished`;
    case 'promotable':
      return `promotable from ${reason.from} to ${reason.to}`;
  }
}
