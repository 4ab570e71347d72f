import { describe, expect, it } from 'vitest';
import { renderTable } from './render-table.js';

describe('renderTable', () => {
  it('aligns columns and shows empty cells as -', () => {
    expect(
      renderTable(
        ['name', 'live', 'listen'],
        [
          ['web', 'v10', null],
          ['worker', '', ':8080'],
        ],
      ),
    ).toBe('NAME    LIVE  LISTEN\nweb     v10   -\nworker  -     :8080\n');
  });
});
