/** Tracks a measurement can be about; the router's `mirror` track answers nobody, so it is not one. */
export const measuredTracks = ['stable', 'canary', 'baseline'] as const;
export type MeasuredTrack = (typeof measuredTracks)[number];

/** Figures Ferry's router keeps per track, measurable without any other system. */
export const builtinMetrics = [
  'error_rate',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'request_rate',
] as const;
export type BuiltinMetric = (typeof builtinMetrics)[number];

/**
 * Where one metric's value comes from. Adapters take these as given: parsing and validating
 * the template is the config loader's job.
 */
export type ProviderSpec =
  | {
      readonly kind: 'builtin';
      readonly metric: BuiltinMetric;
      /** Defaults to the context's track. */
      readonly track?: MeasuredTrack;
    }
  | {
      readonly kind: 'prometheus';
      /** Base URL, e.g. `http://127.0.0.1:9090`. */
      readonly address: string;
      /** An instant PromQL query. */
      readonly query: string;
      readonly timeoutMs: number;
    }
  | {
      readonly kind: 'web';
      readonly url: string;
      readonly method: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly body?: string;
      readonly timeoutMs: number;
      /** A small JSONPath subset: `$`, `$.a.b`, `$.a[0].b`, `$['x-y']`. */
      readonly jsonPath?: string;
      /** Statuses that count as an answer; any 2xx when absent. */
      readonly expectStatus?: readonly number[];
    }
  | {
      readonly kind: 'command';
      /** Program and arguments; run without a shell. */
      readonly argv: readonly string[];
      readonly cwd?: string;
      /** Added to Ferry's own environment. */
      readonly env?: Readonly<Record<string, string>>;
      readonly timeoutMs: number;
    };

export type ProviderKind = ProviderSpec['kind'];
export type SpecOf<K extends ProviderKind> = Extract<ProviderSpec, { readonly kind: K }>;
