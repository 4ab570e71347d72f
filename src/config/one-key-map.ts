import { z } from 'zod';
import { expecting } from './describe-value.js';

/** Lists choices the way messages read them: `pause`, or `one of setWeight, pause`. */
function choices(keys: readonly string[]): string {
  return keys.length === 1 ? `${keys[0]}` : `one of ${keys.join(', ')}`;
}

/**
 * The one entry of `map` among `keys`, or, when there are none or several, a message saying so.
 *
 * @example soleEntry({ cookie: 'beta', exact: '1' }, ['header', 'cookie']) // ['cookie', 'beta']
 * @example soleEntry({}, ['header', 'cookie']) // 'expected one of header, cookie, got none'
 */
export function soleEntry<K extends string, V>(
  map: Readonly<Partial<Record<K, V>>>,
  keys: readonly K[],
): readonly [K, V] | string {
  const entries = keys.flatMap((key) => {
    const value = map[key];
    return value === undefined ? [] : [[key, value] as const];
  });
  const [only] = entries;
  if (only && entries.length === 1) return only;
  const found = entries.map(([key]) => key);
  const got = found.length === 0 ? 'none' : `${found.slice(0, -1).join(', ')} and ${found.at(-1)}`;
  return `expected ${choices(keys)}, got ${got}`;
}

interface OneKeyMapOptions<V> {
  /** What the map is, for a value that is not a map: `a step such as setWeight: 10`. */
  readonly what: string;
  /** What to do about several keys at once: `give each step its own list item`. */
  readonly many: string;
  /** Appended to the unknown-key message, to say why a key is not allowed here. */
  readonly only?: string;
  /** What an empty map resolves to; without it, an empty map is a mistake. */
  readonly empty?: V;
}

/**
 * A map with one key chosen from `shape`, resolved to that key's resolved value: how ferry.yaml
 * writes a choice, e.g. the canary step `- setWeight: 10` or `setCanaryScale: { replicas: 2 }`.
 * Each alternative's schema resolves to the final shape itself (usually a tagged object).
 *
 * @example oneKeyMap({ a: z.int(), b: z.string() }, { what: 'a map with a or b', many: 'keep one' })
 */
export function oneKeyMap<Shape extends Readonly<Record<string, z.ZodType>>>(
  shape: Shape,
  options: OneKeyMapOptions<z.output<Shape[keyof Shape]>>,
) {
  type Value = z.output<Shape[keyof Shape]>;
  const keys = Object.keys(shape);
  const unknownKey = `expected ${choices(keys)}${options.only ? ` (${options.only})` : ''}`;
  const notAMap = expecting(options.what);
  const { empty } = options;
  return z
    .strictObject(shape, {
      error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKey : notAMap(issue)),
    })
    .partial()
    .meta({ maxProperties: 1, ...(empty === undefined ? { minProperties: 1 } : {}) })
    .transform((map, ctx): Value => {
      // An unknown key is already reported, and was most likely meant as the one choice.
      if (ctx.issues.length > 0) return z.NEVER;
      // Every present value has been resolved by its own alternative's schema.
      const values = map as Readonly<Partial<Record<string, Value>>>;
      if (empty !== undefined && Object.keys(values).length === 0) return empty;
      const entry = soleEntry(values, keys);
      if (typeof entry !== 'string') return entry[1];
      const message = Object.keys(values).length > 1 ? `${entry}; ${options.many}` : entry;
      ctx.addIssue({ code: 'custom', message, input: map });
      return z.NEVER;
    });
}
