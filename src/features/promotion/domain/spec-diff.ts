/** One field that differs between two specs, at a dotted path such as `strategy.canary.steps`. */
export interface SpecChange {
  readonly path: string;
  /** The value before, or undefined when the field is new. */
  readonly before: unknown;
  /** The value after, or undefined when the field is gone. */
  readonly after: unknown;
}

/**
 * The fields that differ between two JSON-like values, deepest first-differing path each. Arrays
 * are compared whole (a changed step list is one change), maps key by key.
 *
 * @example specDiff({ replicas: 1 }, { replicas: 3 }) // [{ path: 'replicas', before: 1, after: 3 }]
 */
export function specDiff(before: unknown, after: unknown, path = ''): SpecChange[] {
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => specDiff(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '(whole)', before, after }];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
