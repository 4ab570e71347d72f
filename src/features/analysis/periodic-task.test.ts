import { describe, expect, it } from 'vitest';
import { ManualScheduler } from './manual-scheduler.js';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask', () => {
  it('runs a pass every interval, the next only after the one before ended', async () => {
    const scheduler = new ManualScheduler();
    let passes = 0;
    let release: (() => void) | undefined;
    const task = new PeriodicTask(scheduler, 1_000, async () => {
      passes++;
      await new Promise<void>((resolve) => (release = resolve));
    });
    task.start();
    await scheduler.advance(999);
    expect(passes).toBe(0);
    await scheduler.advance(1);
    expect(passes).toBe(1);
    // The pass has not ended: no timer waits, however long.
    expect(scheduler.pending).toBe(0);
    await scheduler.advance(5_000);
    expect(passes).toBe(1);
    release?.();
    // The pass's end settles on the microtask queue; then the next timer is set.
    await new Promise((resolve) => setImmediate(resolve));
    await scheduler.advance(1_000);
    expect(passes).toBe(2);
    release?.();
    await task.stop();
  });

  it('goes on after a pass that failed, and stops for good', async () => {
    const scheduler = new ManualScheduler();
    let passes = 0;
    const task = new PeriodicTask(scheduler, 100, async () => {
      passes++;
      throw new Error('boom');
    });
    task.start();
    await scheduler.advance(100);
    await scheduler.advance(100);
    expect(passes).toBe(2);
    await task.stop();
    await scheduler.advance(1_000);
    expect(passes).toBe(2);
    expect(scheduler.pending).toBe(0);
  });
});
