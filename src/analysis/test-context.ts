import type { MeasureContext } from '../features/analysis/metric-provider.js';

/** A measurement context for tests: canary `v2` of `web` in `prod`, at the wall clock. */
export function testContext(overrides: Partial<MeasureContext> = {}): MeasureContext {
  return {
    service: 'web',
    environment: 'prod',
    track: 'canary',
    version: 'v2',
    signal: new AbortController().signal,
    now: Date.now(),
    ...overrides,
  };
}
