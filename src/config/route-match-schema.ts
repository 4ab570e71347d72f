import { z } from 'zod';
import { tokenSchema } from './config-primitives.js';
import { expectingMap } from './describe-value.js';
import type { RouteMatch } from './ferry-config.js';
import { soleEntry } from './one-key-map.js';
import { regexSchema, stringValueSchema as valueSchema } from './regex-schema.js';

const matchSources = ['header', 'cookie'] as const satisfies readonly RouteMatch['source'][];
const matchKinds = ['exact', 'prefix', 'regex'] as const satisfies readonly RouteMatch['kind'][];

/**
 * One `setHeaderRoute` match: a header (name case-insensitive, so lower-cased) or a cookie, and
 * exactly one of `exact`, `prefix` or `regex`.
 *
 * @example { header: X-Canary, exact: "yes" } // { source: 'header', name: 'x-canary', kind: 'exact', value: 'yes' }
 */
export const routeMatchSchema = z
  .strictObject(
    {
      header: tokenSchema('a header name such as x-canary').optional(),
      cookie: tokenSchema('a cookie name such as beta').optional(),
      exact: valueSchema.optional(),
      prefix: valueSchema.optional(),
      regex: regexSchema.optional(),
    },
    { error: expectingMap('a match such as { header: x-canary, exact: "yes" }') },
  )
  .meta({ minProperties: 2, maxProperties: 2 })
  .transform((match, ctx): RouteMatch => {
    // An unknown key is already reported, and was most likely meant as one of the choices.
    if (ctx.issues.length > 0) return z.NEVER;
    const source = soleEntry(match, matchSources);
    const kind = soleEntry(match, matchKinds);
    if (typeof source === 'string' || typeof kind === 'string') {
      const message = typeof source === 'string' ? source : String(kind);
      ctx.addIssue({ code: 'custom', message, input: match });
      return z.NEVER;
    }
    const [from, name] = source;
    return {
      source: from,
      name: from === 'header' ? name.toLowerCase() : name,
      kind: kind[0],
      value: kind[1],
    };
  });
