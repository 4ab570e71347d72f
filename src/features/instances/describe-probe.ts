import type { ProbeObservation } from './instance-runtime.js';

/**
 * A probe result as a person reads it, with how often it came in a row.
 *
 * @example describeProbe({ ok: false, result: 'GET /healthz → 404', times: 3, at: 0 })
 * // 'GET /healthz → 404, 3 times'
 */
export function describeProbe(probe: ProbeObservation): string {
  return `${probe.result}, ${probe.times === 1 ? 'once' : `${probe.times} times`}`;
}
