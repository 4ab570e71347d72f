import { formatDuration } from '../../../config/duration.js';
import type { Deployment } from '../domain/deployment.js';
import type { RolloutTarget } from '../domain/rollout-target.js';
import { probesNotReady } from './progress-deadline.js';
import type { ReconcileEnv } from './reconcile-env.js';

/**
 * A rolling update rolling back whose previous version made no progress within
 * `progressDeadline` (no old instance became ready): told once, in a `deployment.rollback_stalled`
 * event that notifications carry, as Argo Rollouts marks such a rollout Degraded. It goes on
 * rolling back, the version it leaves serving meanwhile (nothing is stopped before a replacement
 * is ready); a deploy or a rollback supersedes it. Told again only after some progress and a new
 * stall, or by a restarted controller.
 */
export async function tellRollbackStalled(
  env: ReconcileEnv,
  latest: Deployment,
  target: RolloutTarget,
  ready: number,
): Promise<void> {
  const said = `${latest.id} ${latest.lastProgressAt}`;
  if (env.rollbackStallsSaid.has(said)) return;
  env.rollbackStallsSaid.add(said);
  const replicas = target.spec.replicas;
  const probes = probesNotReady(env.deps, latest, target.artifactDigest);
  const reason =
    `the rollback to ${target.version} made no progress within the progress deadline ` +
    `(${formatDuration(latest.spec.progressDeadlineMs)}): ${ready}/${replicas} of its instances ready` +
    (probes.length > 0 ? ` (readiness probe: ${probes.join('; ')})` : '') +
    `; ${latest.version} serves meanwhile. "ferry deploy" a fix or "ferry rollback" supersedes it`;
  env.deps.logger.error({ deployment: latest.id }, reason);
  await env.deps.events.append({
    actor: 'controller',
    kind: 'deployment.rollback_stalled',
    subject: `deployment/${latest.id}`,
    payload: {
      service: latest.service,
      environment: latest.environment,
      version: latest.version,
      phase: latest.phase,
      reason,
      rollbackTo: target.version,
      ready,
      replicas,
    },
  });
}
