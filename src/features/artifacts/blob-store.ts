import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../errors/ferry-error.js';
import { StagedBlob } from './staged-blob.js';
import { digestOf, verifyBlob } from './verify-blob.js';

/** The blobs of a data folder, under `<dataDir>/artifacts/`: where uploads go and releases come from. */
export function dataFolderBlobs(dataDir: string): BlobStore {
  return new BlobStore(join(dataDir, 'artifacts'));
}

/** Content-addressed files under `<dataDir>/artifacts/sha256/`. Writing the same bytes twice is a no-op. */
export class BlobStore {
  constructor(private readonly root: string) {}

  /**
   * Stores the bytes (`0600`) and returns their `sha256:` digest. A blob already there is kept when it is
   * intact and replaced when its bytes were changed. The only place blobs are written. A failed
   * write leaves no file behind; a full disk is `insufficient_storage` (507).
   */
  async put(bytes: Buffer, digest = digestOf(bytes)): Promise<string> {
    const target = this.path(digest);
    if (!existsSync(target) || !(await this.intact(digest))) {
      const temp = `${target}.${randomUUID()}.tmp`;
      try {
        await mkdir(join(this.root, 'sha256'), { recursive: true, mode: 0o700 });
        await writeFile(temp, bytes, { mode: 0o600 });
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        throw new FerryError('insufficient_storage', 'the data disk is full: artifact not stored', {
          cause: error,
        });
      }
    }
    return digest;
  }

  /**
   * A temporary file in the blob folder to write an upload to while it is checked; `commit` it to
   * `path(digest)` once its digest is known and it is accepted.
   */
  stage(): Promise<StagedBlob> {
    return StagedBlob.open(join(this.root, 'sha256', 'upload'));
  }

  path(digest: string): string {
    return join(this.root, 'sha256', `${digest.slice('sha256:'.length)}.tar.gz`);
  }

  /** Deletes a blob (retention only); a missing one is no error. */
  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  /** Refuses a missing blob (`artifact_missing`) or one whose bytes changed (`artifact_corrupt`). */
  verify(digest: string): Promise<void> {
    return verifyBlob(this.path(digest), digest);
  }

  private async intact(digest: string): Promise<boolean> {
    try {
      await this.verify(digest);
      return true;
    } catch (error) {
      if (error instanceof FerryError) return false;
      throw error;
    }
  }
}
