/**
 * A deep copy of a value going into or out of an in-memory fake, so callers never share a
 * mutable object with the store: what a database round trip gives for free.
 */
export function copyRow<T>(value: T): T {
  return structuredClone(value);
}

/** The error an in-memory fake throws where a database rejects a duplicate key. */
export function duplicateKey(table: string, key: string): Error {
  return new Error(`${table}: a row with key ${key} already exists`);
}

/** Orders text by code unit, as the databases' default (binary) collation does for ids and ISO times. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
