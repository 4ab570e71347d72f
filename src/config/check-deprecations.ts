import type { ConfigProblem } from './config-problem.js';
import { isRecord } from './raw-shape.js';

/**
 * Fields that still work but have moved, each with what to write instead: the loader turns
 * them into located warnings. `runtime.local.replicas` moved to the service (`replicas`), as the
 * number of instances does not depend on where they run. Writing both is an error of the schema.
 */
export function checkDeprecations(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !isRecord(raw.services)) return [];
  return Object.entries(raw.services).flatMap(([name, service]): ConfigProblem[] => {
    if (!isRecord(service) || service.replicas !== undefined) return [];
    const local = isRecord(service.runtime) ? service.runtime.local : undefined;
    if (!isRecord(local) || local.replicas === undefined) return [];
    return [
      {
        path: ['services', name, 'runtime', 'local', 'replicas'],
        message: `deprecated; move it to services.${name}.replicas`,
        at: 'key',
      },
    ];
  });
}
