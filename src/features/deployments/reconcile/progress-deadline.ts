import { describeProbe } from '../../instances/describe-probe.js';
import type { Deployment } from '../domain/deployment.js';
import type { AbortCause } from '../domain/phase-cause.js';
import type { ControllerDeps } from './controller-deps.js';

/** Whether the rollout has made no progress for longer than its `progressDeadline`. */
export function pastDeadline(deps: ControllerDeps, latest: Deployment): boolean {
  return deps.clock.now() - Date.parse(latest.lastProgressAt) > latest.spec.progressDeadlineMs;
}

/** Why the deadline passed: how many new instances are ready, and the last probe of the others. */
export function deadlineCause(deps: ControllerDeps, latest: Deployment, ready: number): AbortCause {
  return {
    kind: 'progressDeadline',
    deadlineMs: latest.spec.progressDeadlineMs,
    ready,
    replicas: latest.spec.replicas,
    probes: probesNotReady(deps, latest, latest.artifactDigest),
  };
}

/** The last readiness probe of each instance of `digest` in `scope` not ready: `id: GET / → 500`. */
export function probesNotReady(
  deps: ControllerDeps,
  scope: { readonly service: string; readonly environment: string },
  digest: string,
): string[] {
  return deps.runtime
    .list()
    .filter((s) => s.spec.artifactDigest === digest && s.phase !== 'ready')
    .filter((s) => s.spec.service === scope.service && s.spec.environment === scope.environment)
    .flatMap((s) =>
      s.readinessProbe ? [`${s.spec.instanceId}: ${describeProbe(s.readinessProbe)}`] : [],
    );
}
