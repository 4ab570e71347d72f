import { ReconcileBackoff, type BackoffDecision } from '../reconcile-backoff.js';
import type { ControllerDeps } from './controller-deps.js';

/**
 * Runs reconciles every `tickMs`, and at once when woken. While reconciles fail (a full disk,
 * say) it backs off exponentially and reports once per period rather than once per tick; wakes
 * do not cut a backoff short, only a stop.
 */
export class ReconcileLoop {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeRequested = false;
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;

  constructor(
    private readonly deps: Pick<ControllerDeps, 'clock' | 'logger' | 'tickMs'>,
    private readonly reconcileAll: () => Promise<void>,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.wakeRequested = true;
    this.wakeLoop?.();
  }

  private async run(): Promise<void> {
    const backoff = new ReconcileBackoff({ tickMs: this.deps.tickMs ?? 250 });
    while (this.running) {
      this.wakeRequested = false;
      let next: BackoffDecision;
      try {
        await this.reconcileAll();
        next = backoff.succeeded();
      } catch (error) {
        next = backoff.failed(error, this.deps.clock.now());
      }
      if (next.report?.level === 'error') {
        this.deps.logger.error({ err: next.report.error }, next.report.message);
      } else if (next.report) this.deps.logger.info(next.report.message);
      if (!this.running) break;
      if (this.wakeRequested && !next.backingOff) continue;
      await this.sleep(next);
    }
  }

  private async sleep(next: BackoffDecision): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wakeLoop = next.backingOff
        ? () => {
            if (!this.running) resolve();
          }
        : resolve;
      this.timer = setTimeout(resolve, next.delayMs);
    });
    clearTimeout(this.timer);
    this.wakeLoop = undefined;
  }
}
