import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { FailureLimiter } from './failure-limiter.js';

function limiter(clock: ManualClock, maxAddresses?: number) {
  return new FailureLimiter(clock, {
    maxFailures: 3,
    windowMs: 60_000,
    ...(maxAddresses === undefined ? {} : { maxAddresses }),
  });
}

describe('FailureLimiter', () => {
  it('blocks an address after maxFailures failures within the window', () => {
    const clock = new ManualClock(1_000_000);
    const limits = limiter(clock);
    for (let i = 0; i < 2; i++) {
      limits.recordFailure('10.0.0.1');
      clock.advance(1000);
    }
    expect(limits.blockedFor('10.0.0.1')).toBe(0);
    limits.recordFailure('10.0.0.1');
    // The oldest of the three failed 2 s ago: it leaves the window in 58 s.
    expect(limits.blockedFor('10.0.0.1')).toBe(58_000);
    expect(limits.blockedFor('10.0.0.2')).toBe(0);
  });

  it('slides: the block lifts as the oldest failures leave the window', () => {
    const clock = new ManualClock(0);
    const limits = limiter(clock);
    limits.recordFailure('a');
    clock.advance(30_000);
    limits.recordFailure('a');
    limits.recordFailure('a');
    expect(limits.blockedFor('a')).toBe(30_000);
    clock.advance(30_000);
    expect(limits.blockedFor('a')).toBe(0);
    limits.recordFailure('a');
    expect(limits.blockedFor('a')).toBe(30_000);
    clock.advance(60_000);
    expect(limits.blockedFor('a')).toBe(0);
  });

  it('forgets the least recently failing addresses past maxAddresses', () => {
    const clock = new ManualClock(0);
    const limits = limiter(clock, 2);
    for (const address of ['a', 'b', 'a', 'a', 'c']) limits.recordFailure(address);
    limits.recordFailure('a');
    expect(limits.blockedFor('a')).toBeGreaterThan(0);
    // 'b' failed least recently and was dropped when 'c' arrived.
    limits.recordFailure('b');
    limits.recordFailure('b');
    expect(limits.blockedFor('b')).toBe(0);
  });
});
