/** One step of a JSONPath: an object key or an array index (negative counts from the end). */
export type JsonPathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number };

export type JsonPathParse =
  | { readonly ok: true; readonly segments: readonly JsonPathSegment[] }
  | { readonly ok: false; readonly message: string; /** 1-based */ readonly column: number };

export type JsonPathSelection =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly message: string };

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*/;
const indexPattern = /^-?[0-9]+/;

/** Reads a quoted key starting at `text[start]` (the quote); `undefined` when it never closes. */
function readQuoted(text: string, start: number): { key: string; end: number } | undefined {
  const quote = text[start];
  let key = '';
  for (let at = start + 1; at < text.length; at += 1) {
    const char = text[at];
    if (char === quote) return { key, end: at + 1 };
    if (char === '\\' && at + 1 < text.length) {
      at += 1;
      key += text[at];
    } else {
      key += char;
    }
  }
  return undefined;
}

/**
 * Parses the subset of JSONPath (RFC 9535) an analysis needs to pick one value: the root `$`,
 * `.name`, `[0]` (negative from the end) and `['any key']` / `["any key"]`. No wildcards, slices
 * or filters: one path, at most one value.
 *
 * @example parseJsonPath("$.data['p-99'][0]")
 * // { ok: true, segments: [{kind:'key',key:'data'}, {kind:'key',key:'p-99'}, {kind:'index',index:0}] }
 */
export function parseJsonPath(text: string): JsonPathParse {
  if (!text.startsWith('$')) return { ok: false, message: "a JSONPath starts with '$'", column: 1 };
  const segments: JsonPathSegment[] = [];
  let at = 1;
  while (at < text.length) {
    const column = at + 1;
    const rest = text.slice(at);
    if (rest.startsWith('.')) {
      const name = namePattern.exec(rest.slice(1))?.[0];
      if (name === undefined) {
        return {
          ok: false,
          message: "expected a name after '.'; use ['key'] for other keys",
          column: column + 1,
        };
      }
      segments.push({ kind: 'key', key: name });
      at += 1 + name.length;
    } else if (rest.startsWith("['") || rest.startsWith('["')) {
      const quoted = readQuoted(text, at + 1);
      if (quoted === undefined)
        return { ok: false, message: 'unterminated quoted key', column: column + 1 };
      if (text[quoted.end] !== ']')
        return { ok: false, message: "expected ']'", column: quoted.end + 1 };
      segments.push({ kind: 'key', key: quoted.key });
      at = quoted.end + 1;
    } else if (rest.startsWith('[')) {
      const digits = indexPattern.exec(rest.slice(1))?.[0];
      if (digits === undefined) {
        return {
          ok: false,
          message: "expected an index or a quoted key after '['",
          column: column + 1,
        };
      }
      if (rest[1 + digits.length] !== ']') {
        return { ok: false, message: "expected ']'", column: column + 1 + digits.length };
      }
      segments.push({ kind: 'index', index: Number(digits) });
      at += 2 + digits.length;
    } else {
      return { ok: false, message: `unexpected '${rest[0]}'; expected '.' or '['`, column };
    }
  }
  return { ok: true, segments };
}

/** The canonical text of a path, for messages: `$.data['p-99'][0]`. */
export function formatJsonPath(segments: readonly JsonPathSegment[]): string {
  return segments.reduce((path, segment) => {
    if (segment.kind === 'index') return `${path}[${segment.index}]`;
    if (namePattern.exec(segment.key)?.[0] === segment.key) return `${path}.${segment.key}`;
    return `${path}['${segment.key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }, '$');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function listKeys(record: object): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'it has no keys';
  const shown = keys.slice(0, 5).join(', ');
  return `it has ${shown}${keys.length > 5 ? `, … (${keys.length} keys)` : ''}`;
}

/**
 * Follows a parsed path into a JSON value. When a step does not exist, says where and what is
 * there instead: `$.data has no key 'rate' (it has count, errors)`.
 */
export function selectJsonPath(
  value: unknown,
  segments: readonly JsonPathSegment[],
): JsonPathSelection {
  let current = value;
  for (let step = 0; step < segments.length; step += 1) {
    const segment = segments[step]!;
    const here = formatJsonPath(segments.slice(0, step));
    if (segment.kind === 'index') {
      if (!Array.isArray(current)) {
        return { found: false, message: `${here} is ${describe(current)}, not an array` };
      }
      const index = segment.index < 0 ? current.length + segment.index : segment.index;
      if (index < 0 || index >= current.length) {
        const count = `${current.length} element${current.length === 1 ? '' : 's'}`;
        return { found: false, message: `${here} has ${count}, no [${segment.index}]` };
      }
      current = current[index] as unknown;
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) {
        return { found: false, message: `${here} is ${describe(current)}, not an object` };
      }
      if (!Object.hasOwn(current, segment.key)) {
        return {
          found: false,
          message: `${here} has no key '${segment.key}' (${listKeys(current)})`,
        };
      }
      current = (current as Record<string, unknown>)[segment.key];
    }
  }
  return { found: true, value: current };
}
