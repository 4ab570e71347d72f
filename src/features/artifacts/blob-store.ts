import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Content-addressed files under `<dataDir>/artifacts/sha256/`. Writing the same bytes twice is a no-op. */
export class BlobStore {
  constructor(private readonly root: string) {}

  /** Stores the bytes and returns their `sha256:` digest. */
  async put(bytes: Buffer): Promise<string> {
    const hex = createHash('sha256').update(bytes).digest('hex');
    const digest = `sha256:${hex}`;
    const target = this.path(digest);
    if (!existsSync(target)) {
      await mkdir(join(this.root, 'sha256'), { recursive: true });
      const temp = `${target}.${randomUUID()}.tmp`;
      await writeFile(temp, bytes);
      await rename(temp, target);
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
