import { ManualClock } from '../../shared/clock.js';
import type { Scheduler } from './scheduler.js';

interface Timer {
  readonly due: number;
  readonly order: number;
  readonly fn: () => void;
}

/**
 * A scheduler for tests: timers fire only when `advance` moves its `ManualClock` past them, in
 * due order, with the clock set to each timer's due time as it fires.
 */
export class ManualScheduler implements Scheduler {
  readonly clock: ManualClock;
  private timers: Timer[] = [];
  private created = 0;

  constructor(start = 0) {
    this.clock = new ManualClock(start);
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { due: this.clock.now() + Math.max(0, ms), order: this.created++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet fired nor cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing each timer that falls due and awaiting `settle` after it,
   * so that work a timer starts (and timers that work sets) happens before the next one fires.
   *
   * @example await scheduler.advance(10_000, () => runner.settle())
   */
  async advance(ms: number, settle: () => Promise<void> = flush): Promise<void> {
    const target = this.clock.now() + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.clock.set(next.due);
      next.fn();
      await settle();
    }
    this.clock.set(target);
  }

  private nextDue(target: number): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers) {
      if (timer.due > target) continue;
      if (
        next === undefined ||
        timer.due < next.due ||
        (timer.due === next.due && timer.order < next.order)
      ) {
        next = timer;
      }
    }
    return next;
  }
}

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
