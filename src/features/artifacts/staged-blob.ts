import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FerryError } from '../../errors/ferry-error.js';

/** Bytes written but not yet awaited before reading more of the upload waits for the disk. */
const maxQueued = 8 * 1024 * 1024;

/**
 * An upload being written to a temporary file beside the blobs while it is checked: `tee` passes
 * the bytes on and writes them in order, `commit` renames the file to its digest's path, and
 * `discard` removes it unless committed. A full disk is `insufficient_storage` (507).
 */
export class StagedBlob {
  private handle: FileHandle | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private committed = false;
  /** The first write error, as the error the upload fails with. */
  failure: FerryError | Error | undefined;
  /** Bytes passed through so far. */
  size = 0;

  private constructor(private readonly temp: string) {}

  /** Opens `<dir>/<uuid>.tmp` (`0600`) next to where `target` will go. */
  static async open(target: string): Promise<StagedBlob> {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const staged = new StagedBlob(`${target}.${randomUUID()}.tmp`);
    staged.handle = await open(staged.temp, 'wx', 0o600);
    return staged;
  }

  /** Passes `source` on, writing every chunk to the file in order; throws the first write error. */
  async *tee(source: Iterable<Buffer> | AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      if (this.failure) throw this.failure;
      this.size += chunk.length;
      this.queued += chunk.length;
      const handle = this.handle!;
      this.writing = this.writing.then(async () => {
        if (this.failure) return;
        try {
          await handle.write(chunk);
        } catch (error) {
          this.failure = storageError(error);
        } finally {
          this.queued -= chunk.length;
        }
      });
      if (this.queued > maxQueued) await this.writing;
      yield chunk;
    }
  }

  /** Waits for every write; throws the first write error. */
  async finish(): Promise<void> {
    await this.writing;
    if (this.failure) throw this.failure;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Moves the finished file to `target`, replacing what is there (it has the same digest). */
  async commit(target: string): Promise<void> {
    await this.finish();
    await rename(this.temp, target);
    this.committed = true;
  }

  /** Removes the file unless it was committed; safe to call more than once. */
  async discard(): Promise<void> {
    await this.writing;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    if (!this.committed) await rm(this.temp, { force: true });
  }
}

function storageError(error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') return error as Error;
  return new FerryError('insufficient_storage', 'the data disk is full: artifact not stored', {
    cause: error,
  });
}
