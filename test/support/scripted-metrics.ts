import type { MetricProvider, ProviderSpec } from '../../src/features/analysis/metric-provider.js';

/**
 * A metric provider whose answers a test sets: every builtin metric reads the value set for it
 * (error rate 0 by default), with plenty of samples unless `sampleSize` says otherwise.
 */
export class ScriptedMetrics implements MetricProvider {
  private readonly values = new Map<string, number>();
  sampleSize = 500;
  /** Measurements taken, by metric name. */
  readonly taken: string[] = [];

  set(metric: string, value: number): void {
    this.values.set(metric, value);
  }

  async measure(spec: ProviderSpec): Promise<{ value: number; sampleSize: number }> {
    if (spec.kind !== 'builtin') throw new Error(`no scripted answer for provider ${spec.kind}`);
    this.taken.push(spec.metric);
    return { value: this.values.get(spec.metric) ?? 0, sampleSize: this.sampleSize };
  }
}
