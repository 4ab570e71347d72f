import type { ConfigProblem, PathSegment } from './config-problem.js';
import { formatDuration, parseDuration } from './duration.js';
import { isRecord, rawOverrides } from './raw-shape.js';

/** What `limits` allows when ferry.yaml does not say: sane bounds for one machine. */
export const defaultLimits = { maxReplicas: 64, maxDrainTimeoutMs: 3_600_000 } as const;

export interface Limits {
  readonly maxReplicas: number;
  readonly maxDrainTimeoutMs: number;
}

/**
 * The bounds of the top-level `limits` map, defaults where it is absent or malformed (the schema
 * reports a malformed one itself).
 */
export function limitsOf(raw: unknown): Limits {
  const limits = isRecord(raw) && isRecord(raw.limits) ? raw.limits : {};
  const replicas = limits.maxReplicas;
  const drain = typeof limits.maxDrainTimeout === 'string' ? limits.maxDrainTimeout : undefined;
  const drainMs = drain === undefined ? undefined : parseDuration(drain);
  return {
    maxReplicas:
      Number.isInteger(replicas) && (replicas as number) >= 1
        ? (replicas as number)
        : defaultLimits.maxReplicas,
    maxDrainTimeoutMs:
      drainMs !== undefined && drainMs > 0 ? drainMs : defaultLimits.maxDrainTimeoutMs,
  };
}

/** `replicas` (of a service or an override) over `maxReplicas`, at `path`. */
function replicaProblems(
  path: readonly PathSegment[],
  replicas: unknown,
  limits: Limits,
): ConfigProblem[] {
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) return [];
  if (replicas <= limits.maxReplicas) return [];
  return [
    {
      path,
      message:
        `${replicas} replicas is over the limit of ${limits.maxReplicas}; ` +
        'lower it, or raise limits.maxReplicas if you mean it',
      at: 'value',
    },
  ];
}

/**
 * Every service (and each of its overrides) stays within `limits`: no more than `maxReplicas`
 * instances (default 64) and a `drainTimeout` no longer than `maxDrainTimeout` (default 1h). A
 * typo such as `replicas: 2000` or `drainTimeout: 30h` would otherwise start thousands of
 * processes or hold a rollout for a day.
 */
export function checkLimits(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !isRecord(raw.services)) return [];
  const limits = limitsOf(raw);
  const problems: ConfigProblem[] = [];
  for (const [name, service] of Object.entries(raw.services)) {
    if (!isRecord(service)) continue;
    // The service-level `replicas`, else the deprecated `runtime.local.replicas`.
    const local = isRecord(service.runtime) ? service.runtime.local : undefined;
    const deprecated = service.replicas === undefined && isRecord(local);
    const replicas = deprecated ? local.replicas : service.replicas;
    const path = ['services', name, ...(deprecated ? ['runtime', 'local'] : []), 'replicas'];
    problems.push(...replicaProblems(path, replicas, limits));
    for (const override of rawOverrides(name, service)) {
      const { replicas } = override.override;
      problems.push(...replicaProblems([...override.path, 'replicas'], replicas, limits));
    }
    const drain = typeof service.drainTimeout === 'string' ? service.drainTimeout : undefined;
    const drainMs = drain === undefined ? undefined : parseDuration(drain);
    if (drainMs !== undefined && drainMs > limits.maxDrainTimeoutMs) {
      problems.push({
        path: ['services', name, 'drainTimeout'],
        message:
          `a drainTimeout of ${drain} is over the limit of ${formatDuration(limits.maxDrainTimeoutMs)}; ` +
          'lower it, or raise limits.maxDrainTimeout if you mean it',
        at: 'value',
      });
    }
  }
  return problems;
}
