import { systemClock, type Clock } from '../../shared/clock.js';

/**
 * Time for code that waits: what time it is and a one-shot timer. Injected so that tests drive
 * analysis with `ManualScheduler` instead of sleeping.
 */
export interface Scheduler {
  readonly clock: Clock;
  /** Calls `fn` once after `ms`; the returned function cancels it (a no-op once it ran). */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The wall clock and Node's timers. */
export const systemScheduler: Scheduler = {
  clock: systemClock,
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
