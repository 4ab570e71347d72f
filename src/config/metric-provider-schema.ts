import { z } from 'zod';
import { builtinMetrics, measuredTracks } from '../features/analysis/domain/provider-spec.js';
import { durationSchema } from './config-primitives.js';
import { expecting } from './describe-value.js';
import type { ProviderSpec } from './ferry-config.js';
import {
  headersSchema,
  httpMethodSchema,
  httpUrlSchema,
  statusListSchema,
} from './http-primitives.js';
import { commandSchema, envSchema } from './local-runtime-schema.js';
import { oneKeyMap } from './one-key-map.js';
import { placeholderNames, unknownPlaceholders } from '../features/analysis/domain/placeholders.js';

type ProviderOf<K extends ProviderSpec['kind']> = Extract<ProviderSpec, { readonly kind: K }>;

/**
 * Every `{{name}}` in the provider's texts (query, URL, headers, body, argv, env) is one Ferry
 * fills in; a misspelt one is reported where it is written.
 */
function knownPlaceholders(value: unknown, ctx: z.RefinementCtx, path: (string | number)[] = []) {
  if (typeof value === 'string') {
    for (const name of unknownPlaceholders(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder {{${name}}}; known: ${placeholderNames.map((n) => `{{${n}}}`).join(', ')}`,
        input: value,
        path,
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => knownPlaceholders(item, ctx, [...path, index]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) knownPlaceholders(item, ctx, [...path, key]);
  }
}

const textSchema = (what: string) => {
  const error = expecting(what);
  return z.string({ error }).min(1, { error });
};

const builtinSchema = z
  .strictObject({
    metric: z.enum(builtinMetrics, { error: expecting(`one of ${builtinMetrics.join(', ')}`) }),
    // Absent means the track the analysis is about (the canary in a canary step), so a template
    // also measures the right track after a rolling or blue-green rollout.
    track: z
      .enum(measuredTracks, { error: expecting(`one of ${measuredTracks.join(', ')}`) })
      .optional(),
  })
  .transform(({ metric, track }): ProviderOf<'builtin'> => ({
    kind: 'builtin',
    metric,
    ...(track === undefined ? {} : { track }),
  }));

const prometheusSchema = z
  .strictObject({
    address: httpUrlSchema,
    query: textSchema('a PromQL query such as sum(rate(http_errors_total[1m]))'),
    timeout: durationSchema.prefault('5s'),
  })
  .superRefine((prometheus, ctx) => knownPlaceholders(prometheus, ctx))
  .transform(({ address, query, timeout }): ProviderOf<'prometheus'> => ({
    kind: 'prometheus',
    address,
    query,
    timeoutMs: timeout,
  }));

const webSchema = z
  .strictObject({
    url: httpUrlSchema,
    method: httpMethodSchema,
    headers: headersSchema,
    body: z.string({ error: expecting('a string') }).optional(),
    timeout: durationSchema.prefault('5s'),
    jsonPath: textSchema('a JSON path such as $.status').optional(),
    expectStatus: statusListSchema.optional(),
  })
  .superRefine((web, ctx) => knownPlaceholders(web, ctx))
  .transform((web): ProviderOf<'web'> => ({
    kind: 'web',
    url: web.url,
    method: web.method,
    headers: web.headers,
    ...(web.body === undefined ? {} : { body: web.body }),
    timeoutMs: web.timeout,
    ...(web.jsonPath === undefined ? {} : { jsonPath: web.jsonPath }),
    ...(web.expectStatus === undefined ? {} : { expectStatus: web.expectStatus }),
  }));

const commandProviderSchema = z
  .strictObject({
    argv: commandSchema,
    cwd: textSchema('a directory such as .').optional(),
    env: envSchema.optional(),
    timeout: durationSchema.prefault('30s'),
  })
  .superRefine((command, ctx) => knownPlaceholders(command, ctx))
  .transform((command): ProviderOf<'command'> => ({
    kind: 'command',
    argv: command.argv,
    ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
    ...(command.env === undefined ? {} : { env: command.env }),
    timeoutMs: command.timeout,
  }));

/**
 * A metric's `provider`: a map with one key naming where the value comes from.
 *
 * @example { builtin: { metric: error_rate } } // { kind: 'builtin', metric: 'error_rate' }
 */
export const metricProviderSchema = oneKeyMap(
  {
    builtin: builtinSchema,
    prometheus: prometheusSchema,
    web: webSchema,
    command: commandProviderSchema,
  } satisfies { readonly [K in ProviderSpec['kind']]: z.ZodType<ProviderOf<K>, unknown> },
  {
    what: 'a provider such as builtin: { metric: error_rate }',
    many: 'a metric reads one provider, so keep the one to use',
  },
);
