import type { DeploymentPhase } from '../../deployments/domain/deployment.js';
import { isActive } from '../../deployments/domain/deployment.js';

/** What readiness reads of a deployment in the environment (a `Deployment` fits). */
export interface DeploymentFact {
  readonly id: string;
  readonly artifactDigest: string;
  readonly version: string;
  readonly phase: DeploymentPhase;
  readonly previousId: string | null;
  /** When it ended (ISO-8601 UTC): for a Succeeded one, when it went live. */
  readonly finishedAt: string | null;
}

/** An instance not yet stopped in the environment (a `StoredInstance` fits). */
export interface InstanceFact {
  readonly artifactDigest: string;
  readonly version: string;
}

/** The kinds of reason a contract migration waits; each has its own data. */
export const contractWaitKinds = ['not-live', 'window', 'older-running', 'older-rollout'] as const;

export type ContractWaitKind = (typeof contractWaitKinds)[number];

/**
 * Why a contract migration shipped in `version` (N) may not run yet in an environment:
 * - `not-live`: neither N nor a later artifact is the environment's live deployment;
 * - `window`: N went live at `liveSince`; its rollback window (`contractAfter`) and the
 *   environment's `soak` keep the contract back until `until`;
 * - `older-running`: `instances` instances of the older `version` still run there (a drain,
 *   blue-green's kept stack);
 * - `older-rollout`: a deployment in progress there would send traffic to the older `version`
 *   (its stable side on abort, or the version it rolls out).
 */
export type ContractWait =
  | { readonly kind: 'not-live'; readonly version: string; readonly live: string | null }
  | {
      readonly kind: 'window';
      readonly version: string;
      readonly liveSince: string;
      readonly until: string;
      readonly waitMs: number;
    }
  | { readonly kind: 'older-running'; readonly version: string; readonly instances: number }
  | {
      readonly kind: 'older-rollout';
      readonly version: string;
      readonly deploymentId: string;
      readonly rollingOut: string;
    };

export interface ContractReadinessInput {
  /** The artifact that first shipped the contract migration in this environment (N). */
  readonly shippedIn: { readonly digest: string; readonly version: string };
  /** The environment's deployments of the service, newest first (as the store lists them). */
  readonly history: readonly DeploymentFact[];
  /** Its instances not yet stopped. */
  readonly instances: readonly InstanceFact[];
  /** `database.contractAfter`: the rollback window in time. */
  readonly contractAfterMs: number;
  /** The environment's `soak`. */
  readonly soakMs: number;
  readonly now: number;
}

export type ContractReadiness =
  { readonly ready: true } | { readonly ready: false; readonly waits: readonly ContractWait[] };

/**
 * Whether a contract migration shipped in version N may run in an environment now, and every
 * reason it waits: (a) N (or a later artifact) is live there; (b) its rollback window and the
 * environment's soak have passed since N went live; (c) nothing older than N runs there or could
 * take traffic back (a rollout in progress, instances of an older version still running).
 *
 * "Older" is deployment order: an artifact is older than N when its first deployment in the
 * environment came before N's (`deploymentOrder`). Artifacts never deployed there are not judged;
 * N itself never deployed there is `not-live` and nothing else.
 */
export function contractReadiness(input: ContractReadinessInput): ContractReadiness {
  const order = deploymentOrder(input.history);
  const rankOfN = order.get(input.shippedIn.digest);
  const live = liveDeployment(input.history);
  if (rankOfN === undefined) {
    const wait = {
      kind: 'not-live',
      version: input.shippedIn.version,
      live: live?.version ?? null,
    };
    return { ready: false, waits: [wait as ContractWait] };
  }
  const older = (digest: string) => {
    const rank = order.get(digest);
    return rank !== undefined && rank < rankOfN;
  };
  const waits: ContractWait[] = [];
  const since = liveSince(input.history, older);
  if (live === undefined || older(live.artifactDigest) || since === undefined) {
    waits.push({ kind: 'not-live', version: input.shippedIn.version, live: live?.version ?? null });
  } else {
    const waitMs = Math.max(input.contractAfterMs, input.soakMs);
    const until = since + waitMs;
    if (input.now < until) {
      waits.push({
        kind: 'window',
        version: input.shippedIn.version,
        liveSince: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        waitMs,
      });
    }
  }
  const latest = input.history[0];
  if (latest && isActive(latest.phase)) {
    const stable = input.history.find((d) => d.id === latest.previousId);
    const behind = [latest, stable].find((d) => d !== undefined && older(d.artifactDigest));
    if (behind) {
      waits.push({
        kind: 'older-rollout',
        version: behind.version,
        deploymentId: latest.id,
        rollingOut: latest.version,
      });
    }
  }
  const counts = new Map<string, number>();
  for (const instance of input.instances) {
    if (!older(instance.artifactDigest)) continue;
    counts.set(instance.version, (counts.get(instance.version) ?? 0) + 1);
  }
  for (const [version, instances] of counts) {
    waits.push({ kind: 'older-running', version, instances });
  }
  return waits.length === 0 ? { ready: true } : { ready: false, waits };
}

/**
 * The place of each artifact in an environment's deployment order: 0 for the first artifact
 * ever deployed there, then each new artifact in the order of its first deployment. A rollback
 * keeps its artifact's old place.
 */
export function deploymentOrder(
  newestFirst: readonly DeploymentFact[],
): ReadonlyMap<string, number> {
  const order = new Map<string, number>();
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const digest = newestFirst[i]!.artifactDigest;
    if (!order.has(digest)) order.set(digest, order.size);
  }
  return order;
}

/** The newest Succeeded deployment, unless the newest of all failed (then nothing is live). */
export function liveDeployment(newestFirst: readonly DeploymentFact[]): DeploymentFact | undefined {
  if (newestFirst[0]?.phase === 'Failed') return undefined;
  return newestFirst.find((d) => d.phase === 'Succeeded');
}

/**
 * Since when (epoch ms) N or a later artifact has been live without interruption: the first
 * Succeeded deployment of one after the last Succeeded deployment of an older one.
 */
function liveSince(
  newestFirst: readonly DeploymentFact[],
  older: (digest: string) => boolean,
): number | undefined {
  let since: number | undefined;
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const d = newestFirst[i]!;
    if (d.phase !== 'Succeeded') continue;
    if (older(d.artifactDigest)) since = undefined;
    else if (since === undefined && d.finishedAt !== null) since = Date.parse(d.finishedAt);
  }
  return since;
}

/**
 * One line per reason, for `ferry migrations status` and the 409 of `ferry migrations contract`.
 *
 * @example describeContractWait({ kind: 'older-running', version: 'v1', instances: 2 }, 'prod')
 * // '2 instances of v1 still run in prod (a drain or a kept blue-green stack)'
 */
export function describeContractWait(wait: ContractWait, environment: string): string {
  switch (wait.kind) {
    case 'not-live':
      return wait.live === null
        ? `${wait.version} is not live in ${environment}: nothing is`
        : `${wait.version} is not live in ${environment}: the older ${wait.live} is`;
    case 'window':
      return `${wait.version} went live in ${environment} at ${wait.liveSince}; its rollback window and soak (${formatMs(wait.waitMs)}) last until ${wait.until}`;
    case 'older-running':
      return `${wait.instances} instance${wait.instances === 1 ? '' : 's'} of the older ${wait.version} still run${wait.instances === 1 ? 's' : ''} in ${environment} (a drain or a kept blue-green stack)`;
    case 'older-rollout':
      return wait.version === wait.rollingOut
        ? `${wait.deploymentId} rolls the older ${wait.version} out in ${environment}`
        : `${wait.deploymentId} rolls ${wait.rollingOut} out in ${environment}; an abort sends traffic back to the older ${wait.version}`;
  }
}

/** `1h`, `10m`, `90s`, `1h30m`. */
export function formatMs(ms: number): string {
  const parts: string[] = [];
  let seconds = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(seconds / size);
    if (count > 0) parts.push(`${count}${unit}`);
    seconds -= count * size;
  }
  return parts.length === 0 ? '0s' : parts.join('');
}
