import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../errors/ferry-error.js';

/** Content-addressed files under `<dataDir>/artifacts/sha256/`. Writing the same bytes twice is a no-op. */
export class BlobStore {
  constructor(private readonly root: string) {}

  /**
   * Stores the bytes (`0600`) and returns their `sha256:` digest. A failed write leaves no file
   * behind; a full disk is `insufficient_storage` (507).
   */
  async put(bytes: Buffer): Promise<string> {
    const hex = createHash('sha256').update(bytes).digest('hex');
    const digest = `sha256:${hex}`;
    const target = this.path(digest);
    if (!existsSync(target)) {
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

  path(digest: string): string {
    return join(this.root, 'sha256', `${digest.slice('sha256:'.length)}.tar.gz`);
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }
}
