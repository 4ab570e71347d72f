import type { ServiceConfig } from './service-spec.js';

/**
 * The fields of a service's spec that decide what its instances run and how many of them: a
 * change to one of these needs new instances (a config rollout of the same artifact). Every
 * other field (strategy, analysis, smoke, notifications, deadlines) applies to the next
 * deployment and changes nothing that runs.
 */
const instanceFields = ['replicas', 'runtime', 'health'] as const;

/**
 * Paths of the leaves that differ between two values, `prefix` first: objects are compared key
 * by key, anything else (arrays included) as a whole.
 *
 * @example changedPaths({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }) // ['a.c']
 */
export function changedPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) =>
      changedPaths(before[key], after[key], prefix === '' ? key : `${prefix}.${key}`),
    );
  }
  return sameValue(before, after) ? [] : [prefix === '' ? '(root)' : prefix];
}

/**
 * Where a service's spec in one environment changed, split into what needs new instances
 * (`rollout`: replicas, runtime, health, this environment's route) and what the next
 * deployment picks up (`next`). Other environments' routes are not this environment's business.
 */
export function specChanges(
  live: ServiceConfig,
  desired: ServiceConfig,
  environment: string,
): { readonly rollout: readonly string[]; readonly next: readonly string[] } {
  const route = `routes.${environment}`;
  // A route is one address: its host and port changes read as the route's.
  const paths = [
    ...new Set(
      changedPaths(live, desired)
        .filter((p) => !p.startsWith('routes.') || p === route || p.startsWith(`${route}.`))
        .map((p) => (p.startsWith(`${route}.`) ? route : p)),
    ),
  ];
  const needsInstances = (p: string) =>
    p === route || instanceFields.some((field) => p === field || p.startsWith(`${field}.`));
  return { rollout: paths.filter(needsInstances), next: paths.filter((p) => !needsInstances(p)) };
}

/** Deep equality of JSON-shaped values, whatever the order of object keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      isPlainObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, v[k]]),
          )
        : v,
    ) ?? 'undefined'
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
