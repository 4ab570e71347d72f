import { describe, expect, it } from 'vitest';
import { resumePromotes } from './pause-reasons.js';

describe('resumePromotes', () => {
  it('promotes past a pause the rollout made, never past a person or an analysis verdict', () => {
    expect(resumePromotes('waiting at step 2: pause until promoted')).toBe(true);
    expect(resumePromotes(null)).toBe(true);
    expect(resumePromotes('paused by user:local')).toBe(false);
    expect(resumePromotes('analysis "step-2" is Inconclusive (too few samples)')).toBe(false);
  });
});
