import type { ServiceStatus } from '../../api-types.js';
import { renderTable } from '../../render-table.js';

/** One row per service and environment: live version, rollout in progress, readiness, address. */
export function statusTable(services: readonly ServiceStatus[]): string {
  const rows = services.flatMap((service) =>
    service.environments.map((env) => {
      const ready = env.instances.filter((i) => i.phase === 'ready').length;
      return [
        service.name,
        env.environment,
        env.stopped ? `${env.live?.version ?? '-'} (stopped)` : env.live?.version,
        env.active ? `${env.active.version} ${env.active.phase}` : undefined,
        `${ready}/${env.instances.length}`,
        env.listen,
      ];
    }),
  );
  return renderTable(['service', 'env', 'live', 'rollout', 'ready', 'listen'], rows);
}
