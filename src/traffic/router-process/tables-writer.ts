import type { Logger } from 'pino';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Writes `tables.json` after each accepted change, one write at a time (the newest text wins).
 * A failed write (disk full, read-only) is logged once until a write succeeds again: the router
 * keeps serving from memory and tries again on the next change.
 */
export class TablesWriter {
  private writing: Promise<void> | undefined;
  private pending: string | undefined;
  private failing = false;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
  ) {}

  /** Schedules a write of `text`; resolves once it (or a newer one) was tried. */
  write(text: string): Promise<void> {
    this.pending = text;
    this.writing ??= this.drain().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined) {
      const text = this.pending;
      this.pending = undefined;
      try {
        await writeFileAtomic(this.path, text);
        if (this.failing) this.log.info({ path: this.path }, 'router tables saved again');
        this.failing = false;
      } catch (error) {
        if (!this.failing) {
          this.log.error(
            { path: this.path, code: (error as NodeJS.ErrnoException).code },
            'router tables cannot be saved; serving them from memory, retrying on the next change',
          );
        }
        this.failing = true;
      }
    }
  }
}
