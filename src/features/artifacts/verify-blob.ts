import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { FerryError } from '../../errors/ferry-error.js';

/** `sha256:<hex>` of the bytes. */
export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Reads the blob at `path` through sha256 and refuses it unless it hashes to `digest`: a missing
 * blob is `artifact_missing`, changed bytes are `artifact_corrupt`, both naming the digest.
 */
export async function verifyBlob(path: string, digest: string): Promise<void> {
  const hash = createHash('sha256');
  try {
    // 1 MiB reads: the default 64 KiB cost a thread-pool round trip each.
    const reads = createReadStream(path, { highWaterMark: 1024 * 1024 });
    for await (const chunk of reads) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw blobMissing(digest, path);
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== digest) throw blobChanged(digest, actual);
}

/** `artifact_missing`, naming the digest and where its blob should be. */
export function blobMissing(digest: string, path: string): FerryError {
  return new FerryError(
    'artifact_missing',
    `artifact ${digest} is missing from the data folder (${path}); upload the same version again to restore it`,
    { extra: { digest } },
  );
}

/** `artifact_corrupt` for a blob whose bytes now hash to `actual`. */
export function blobChanged(digest: string, actual: string): FerryError {
  return new FerryError(
    'artifact_corrupt',
    `artifact ${digest} was changed after upload (its file now hashes to ${actual}); ` +
      `refusing to run it. Upload the same version again to restore it`,
    { extra: { digest, actualDigest: actual } },
  );
}
