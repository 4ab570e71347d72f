import { describe, expect, it } from 'vitest';
import { newLines } from './new-lines.js';

describe('newLines', () => {
  it('returns everything the first time', () => {
    expect(newLines(undefined, ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('returns what follows an earlier tail that a larger window holds whole', () => {
    expect(newLines(['b', 'c'], ['a', 'b', 'c', 'd', 'e'])).toEqual(['d', 'e']);
    expect(newLines(['x', 'x'], ['x', 'x', 'x'])).toEqual(['x']);
    expect(newLines(['a', 'b'], ['a', 'b'])).toEqual([]);
  });

  it('returns what follows the overlap when the window moved past the start', () => {
    expect(newLines(['a', 'b', 'c'], ['b', 'c', 'd'])).toEqual(['d']);
  });

  it('returns all lines when nothing overlaps', () => {
    expect(newLines(['a'], ['y', 'z'])).toEqual(['y', 'z']);
  });
});
