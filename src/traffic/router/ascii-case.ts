/**
 * Field names compared without case and without a lower-cased copy: the router reads a dozen
 * names per request, and `toLowerCase` allocates a string (then hashed for a Map) each time.
 */

/** `name` equals `lower` (lower-case ASCII) ignoring ASCII case. */
export function equalsLower(name: string, lower: string): boolean {
  const length = lower.length;
  if (name.length !== length) return false;
  for (let i = 0; i < length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A lookup of lower-case names, case-insensitive, by length first: most names match no entry's
 * length and cost one array read.
 */
export class LowerNameTable<T> {
  private readonly byLength: (readonly (readonly [string, T])[] | undefined)[] = [];

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [name, value] of entries) {
      const lower = name.toLowerCase();
      const list = (this.byLength[lower.length] ?? []) as (readonly [string, T])[];
      list.push([lower, value]);
      this.byLength[lower.length] = list;
    }
  }

  get(name: string): T | undefined {
    const candidates = this.byLength[name.length];
    if (candidates === undefined) return undefined;
    for (let i = 0; i < candidates.length; i++) {
      const entry = candidates[i] as readonly [string, T];
      if (equalsLower(name, entry[0])) return entry[1];
    }
    return undefined;
  }
}

/** `bytes` from `start` to `end` equal `lower` (lower-case ASCII) ignoring ASCII case. */
export function bytesEqualLower(
  bytes: Uint8Array,
  start: number,
  end: number,
  lower: string,
): boolean {
  const length = lower.length;
  if (end - start !== length) return false;
  for (let i = 0; i < length; i++) {
    let c = bytes[start + i] as number;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
