import type {
  MeasureContext,
  MetricProvider,
  ProviderResult,
  ProviderSpec,
  SpecOf,
} from '../features/analysis/metric-provider.js';
import {
  expandPlaceholders,
  PlaceholderError,
  type PlaceholderValues,
} from '../features/analysis/domain/placeholders.js';
import { ProviderError } from '../features/analysis/metric-provider.js';
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
 * `spec.kind`, with `{{service}}`, `{{version}}`, `{{stableVersion}}`... filled in from the
 * context (a placeholder without a value here is a ProviderError). Tests build one from fakes;
 * Ferry builds it with `createProviders`.
 */
export class ProviderSet implements MetricProvider {
  constructor(private readonly adapters: ProviderAdapters) {}

  measure(template: ProviderSpec, ctx: MeasureContext): Promise<ProviderResult> {
    let spec: ProviderSpec;
    try {
      spec = expandSpec(template, valuesOf(ctx));
    } catch (error) {
      if (!(error instanceof PlaceholderError)) throw error;
      return Promise.reject(new ProviderError(error.message));
    }
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

/** What `{{service}}`, `{{version}}`, ... stand for in this measurement. */
function valuesOf(ctx: MeasureContext): PlaceholderValues {
  return {
    service: ctx.service,
    environment: ctx.environment,
    track: ctx.track,
    version: ctx.version,
    ...(ctx.versions?.stable === undefined ? {} : { stableVersion: ctx.versions.stable }),
    ...(ctx.versions?.canary === undefined ? {} : { canaryVersion: ctx.versions.canary }),
    ...(ctx.versions?.baseline === undefined ? {} : { baselineVersion: ctx.versions.baseline }),
  };
}

/**
 * The spec with its placeholders filled in: every text of it. Values are names and versions
 * (`[A-Za-z0-9._+-]`), so they cannot break out of a shell line or a PromQL string.
 */
function expandSpec(spec: ProviderSpec, values: PlaceholderValues): ProviderSpec {
  const fill = (text: string) => expandPlaceholders(text, values);
  const fillAll = (record: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fill(value)]));
  switch (spec.kind) {
    case 'builtin':
      return spec;
    case 'prometheus':
      return { ...spec, address: fill(spec.address), query: fill(spec.query) };
    case 'web':
      return {
        ...spec,
        url: fill(spec.url),
        headers: fillAll(spec.headers),
        ...(spec.body === undefined ? {} : { body: fill(spec.body) }),
        ...(spec.jsonPath === undefined ? {} : { jsonPath: fill(spec.jsonPath) }),
      };
    case 'command':
      return {
        ...spec,
        argv: spec.argv.map(fill),
        ...(spec.cwd === undefined ? {} : { cwd: fill(spec.cwd) }),
        ...(spec.env === undefined ? {} : { env: fillAll(spec.env) }),
      };
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
