import type { ConfigWarning } from './ferry-config.js';

/** A segment of a path into the parsed YAML: a map key or a list index. */
export type PathSegment = string | number;

/**
 * One mistake in a ferry.yaml before it is located in the source. `at: 'key'` points at the map
 * key itself (unknown field, bad name) rather than at its value; `column` (1-based) points inside
 * a string value, such as at the mistake in an analysis condition.
 */
export interface ConfigProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly at: 'key' | 'value';
  readonly column?: number;
}

const plainKey = /^[A-Za-z0-9_-]+$/;

/**
 * Formats a path the way users read it: dots between keys, brackets for indexes and odd keys.
 *
 * @example formatFieldPath(['environments', 1, 'name']) // 'environments[1].name'
 */
export function formatFieldPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!plainKey.test(segment)) return `[${JSON.stringify(segment)}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/**
 * A warning the way `ferry validate` prints and `ferry server` logs it.
 *
 * @example formatConfigWarning(w) // 'ferry.yaml:7:26 services.web.runtime.local.replicas: deprecated; ...'
 */
export function formatConfigWarning(warning: ConfigWarning): string {
  return `${warning.file}:${warning.line}:${warning.col} ${warning.path}: ${warning.message}`;
}
