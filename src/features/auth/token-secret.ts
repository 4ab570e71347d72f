import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const prefix = 'ferry_';

/**
 * A new secret for token `id`: `ferry_<id>_<43 characters of base64url>`, 256 random bits. The id
 * in it lets the server find the record without searching by secret; the prefix lets secret
 * scanners recognise it.
 *
 * @example newTokenSecret('tok-mbx3k2p1a3f9') // 'ferry_tok-mbx3k2p1a3f9_Q2x...'
 */
export function newTokenSecret(id: string): string {
  return `${prefix}${id}_${randomBytes(32).toString('base64url')}`;
}

/** The token id a presented secret names; undefined when it is not shaped like a Ferry token. */
export function tokenIdOf(secret: string): string | undefined {
  const match = /^ferry_(tok-[a-z0-9]{1,40})_[A-Za-z0-9_-]{20,200}$/.exec(secret);
  return match?.[1];
}

/** Hex sha256 of a secret: what the store keeps. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Whether `secret` hashes to `sha256Hex`, in time that does not depend on where they differ. */
export function secretMatches(secret: string, sha256Hex: string): boolean {
  const expected = Buffer.from(sha256Hex, 'hex');
  const actual = createHash('sha256').update(secret).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
