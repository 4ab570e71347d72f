import { open, rename, unlink } from 'node:fs/promises';

/**
 * Writes `text` to `path` so a reader (or a crash) sees the old file or the new one, never half:
 * a temporary file beside it, fsynced, then renamed over it. Mode 0600 unless told: what the
 * router saves (its state, its tables) is the server's alone.
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const file = await open(tmp, 'w', mode);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}
