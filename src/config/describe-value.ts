/**
 * Renders a user's value the way a compiler quotes it: strings in quotes, short, and collections
 * by kind rather than dumped whole.
 *
 * @example describeValue('two') // '"two"'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const short = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(short);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

/**
 * A zod error function that says what was expected and what was found, or that the field is
 * missing. Used for every leaf of the ferry.yaml schema so messages read the same everywhere.
 *
 * @example z.int({ error: expecting('an integer >= 1') }) // 'expected an integer >= 1, got "two"'
 */
export function expecting(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) =>
    issue.input === undefined
      ? `required field is missing (expected ${what})`
      : `expected ${what}, got ${describeValue(issue.input)}`;
}

/**
 * {@link expecting} for a map schema: an unknown key keeps the default message, which lists the
 * allowed fields, instead of "expected a map, got a map".
 */
export function expectingMap(
  what: string,
): (issue: { readonly code?: string; readonly input?: unknown }) => string | undefined {
  const message = expecting(what);
  return (issue) => (issue.code === 'unrecognized_keys' ? undefined : message(issue));
}
