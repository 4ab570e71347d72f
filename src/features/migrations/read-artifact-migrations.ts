import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import type { BlobStore } from '../artifacts/blob-store.js';
import { blobChanged, blobMissing } from '../artifacts/verify-blob.js';
import {
  parseMigrationFiles,
  type MigrationEntry,
  type ParsedMigrations,
} from './domain/parse-migration-files.js';

/** The most bytes one migration file may hold: a migration is SQL a person wrote, not a dump. */
export const maxMigrationFileBytes = 8 * 1024 * 1024;

/**
 * The migrations an artifact ships: the `.sql` files under `folder` (the service's
 * `database.migrations`, relative to the artifact's root) of the blob `digest`, read as Flyway
 * files (`parseMigrationFiles`). Read from the tarball in the blob store, not from a release
 * folder: the expand gate runs before any instance of the version, so before the runtime has
 * unpacked it, and a runtime that is not local unpacks nothing here. The compressed bytes are
 * hashed on the way, so a blob changed since it was pushed is refused (`artifact_corrupt`).
 *
 * @example const { files } = await readArtifactMigrations(blobs, deployment.artifactDigest, 'db/migrations')
 */
export async function readArtifactMigrations(
  blobs: BlobStore,
  digest: string,
  folder: string,
): Promise<ParsedMigrations> {
  const prefix = `${folder.split('/').filter(Boolean).join('/')}/`;
  const entries: MigrationEntry[] = [];
  const reading: Promise<void>[] = [];
  const parser = new Parser({
    brotli: false,
    zstd: false,
    onReadEntry: (entry: ReadEntry) => {
      const path = normalise(entry.path);
      if (entry.type !== 'File' || !path.startsWith(prefix) || !path.endsWith('.sql')) {
        entry.resume();
        return;
      }
      const read = readEntry(entry, path.slice(prefix.length)).then((e) => void entries.push(e));
      // Awaited once the archive is read; until then a failure must not count as unhandled.
      read.catch(() => undefined);
      reading.push(read);
    },
  });
  const hash = createHash('sha256');
  const path = blobs.path(digest);
  try {
    const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
    source.on('data', (chunk) => hash.update(chunk as Buffer));
    await pipeline(source, createGunzip(), parser);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw blobMissing(digest, path);
    throw error;
  }
  await Promise.all(reading);
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== digest) throw blobChanged(digest, actual);
  return parseMigrationFiles(entries.sort((a, b) => (a.path < b.path ? -1 : 1)));
}

async function readEntry(entry: ReadEntry, path: string): Promise<MigrationEntry> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxMigrationFileBytes) {
      throw new Error(`${path}: larger than ${maxMigrationFileBytes} bytes; not a migration`);
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  return {
    path,
    sql: bytes.toString('utf8'),
    checksum: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}

/** `./db/migrations//V1__a.sql` → `db/migrations/V1__a.sql`, as unpacking writes it. */
function normalise(raw: string): string {
  return raw
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}
