import { abort, abortable } from '../domain/transitions.js';
import type { Deployment } from '../domain/deployment.js';
import type { ReconcileEnv } from './reconcile-env.js';

/**
 * The router could not open the route's listener (its port is taken, by another process or by
 * Ferry's own API): no user can reach the new version, so a rollout in progress ends at once,
 * with the port and its holder in the reason. Said once per deployment in a `route.unavailable`
 * event whatever the phase; the router keeps trying, so a freed port serves again.
 * Returns whether the deployment was aborted (the caller stops and reconciles again).
 */
export async function failOnRouteDown(env: ReconcileEnv, latest: Deployment): Promise<boolean> {
  const failure = env.routerSync.routeFailure(latest);
  if (!failure) return false;
  const said = `${latest.id} ${failure.message}`;
  if (!env.routeFailuresSaid.has(said)) {
    env.routeFailuresSaid.add(said);
    env.deps.logger.error({ deployment: latest.id }, failure.message);
    await env.deps.events.append({
      actor: 'controller',
      kind: 'route.unavailable',
      subject: `deployment/${latest.id}`,
      payload: {
        service: latest.service,
        environment: latest.environment,
        version: latest.version,
        listen: `${failure.listen.host}:${failure.listen.port}`,
        reason: failure.message,
      },
    });
  }
  if (!abortable(latest)) return false;
  const cause = { kind: 'routeUnavailable', message: failure.message } as const;
  await env.transit(latest, abort(latest, cause, env.deps.clock.now(), 'controller'));
  return true;
}
