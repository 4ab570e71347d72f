import { describe, expect, it } from 'vitest';
import { parseTokenLifetime } from './token-lifetime.js';

describe('parseTokenLifetime', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(parseTokenLifetime('90m')).toBe(90 * 60_000);
    expect(parseTokenLifetime('12h')).toBe(12 * 3_600_000);
    expect(parseTokenLifetime('30d')).toBe(30 * 86_400_000);
    expect(parseTokenLifetime('8w')).toBe(8 * 604_800_000);
  });

  it('refuses zero, fractions, other units and more than ten years', () => {
    for (const text of ['0d', '1.5d', '30', '30s', 'd', '-1d', '3651d', '']) {
      expect(parseTokenLifetime(text), text).toBeUndefined();
    }
  });
});
