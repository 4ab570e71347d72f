import type { Scheduler } from './scheduler.js';

/**
 * Runs `pass` every `intervalMs` on a {@link Scheduler}, one pass at a time: the next waits for
 * the one before to end, and {@link stop} waits for the pass in progress. A pass that throws is
 * its owner's to report (this runs the next one anyway).
 */
export class PeriodicTask {
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<unknown>,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancel = this.scheduler.setTimer(() => {
      this.running = this.pass()
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
  }
}
