import type {
  MeasureContext,
  MetricProvider,
  ProviderResult,
  ProviderSpec,
  SpecOf,
} from '../features/analysis/metric-provider.js';
import { BuiltinProvider, type RouteFigures } from './builtin-provider.js';
import { CommandProvider } from './command-provider.js';
import { PrometheusProvider } from './prometheus-provider.js';
import { WebProvider } from './web-provider.js';

/** One adapter per provider kind. */
export type ProviderAdapters = {
  readonly [K in ProviderSpec['kind']]: MetricProvider<SpecOf<K>>;
};

/**
 * Every provider behind one `MetricProvider`: a measurement goes to the adapter of its
 * `spec.kind`. Tests build one from fakes; Ferry builds it with `createProviders`.
 */
export class ProviderSet implements MetricProvider {
  constructor(private readonly adapters: ProviderAdapters) {}

  measure(spec: ProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
    switch (spec.kind) {
      case 'builtin':
        return this.adapters.builtin.measure(spec, ctx);
      case 'prometheus':
        return this.adapters.prometheus.measure(spec, ctx);
      case 'web':
        return this.adapters.web.measure(spec, ctx);
      case 'command':
        return this.adapters.command.measure(spec, ctx);
    }
  }
}

/**
 * The real providers; `routeFigures` is the router's snapshot.
 *
 * @example createProviders({ routeFigures: (service, env) => routerMetrics.snapshot(service, env) })
 */
export function createProviders(options: { readonly routeFigures: RouteFigures }): ProviderSet {
  return new ProviderSet({
    builtin: new BuiltinProvider(options.routeFigures),
    prometheus: new PrometheusProvider(),
    web: new WebProvider(),
    command: new CommandProvider(),
  });
}
