import type { Deployment } from '../domain/deployment.js';
import { succeed as succeeded } from '../domain/transitions.js';
import type { ReconcileEnv } from './reconcile-env.js';

/** The rollout is done: Succeeded, and releases beyond the newest few are pruned. */
export async function succeed(env: ReconcileEnv, latest: Deployment): Promise<void> {
  await env.transit(latest, succeeded(latest, env.deps.clock.now()));
  await env.deps.runtime.pruneReleases?.(
    latest.service,
    latest.environment,
    await recentDigests(env, latest),
  );
}

/** The artifacts of the newest `releasesToKeep` succeeded deployments, newest first. */
async function recentDigests(env: ReconcileEnv, latest: Deployment): Promise<string[]> {
  const keep = env.deps.releasesToKeep ?? 5;
  const history = await env.deps.deployments.list(latest, 50);
  const digests: string[] = [];
  for (const d of history) {
    if (d.phase === 'Succeeded' && !digests.includes(d.artifactDigest))
      digests.push(d.artifactDigest);
    if (digests.length >= keep) break;
  }
  return digests;
}
