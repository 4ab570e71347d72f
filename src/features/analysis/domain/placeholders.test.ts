import { describe, expect, it } from 'vitest';
import { expandPlaceholders, PlaceholderError, unknownPlaceholders } from './placeholders.js';

describe('placeholders', () => {
  const values = { service: 'web', version: 'v2', stableVersion: 'v1', track: 'canary' };

  it('fills in who is measured, spaces inside the braces allowed', () => {
    expect(
      expandPlaceholders(
        'x{service="{{service}}",version=~"{{ version }}|{{stableVersion}}"}',
        values,
      ),
    ).toBe('x{service="web",version=~"v2|v1"}');
    expect(expandPlaceholders('no placeholders {here}', values)).toBe('no placeholders {here}');
  });

  it('refuses a placeholder that has no value here', () => {
    expect(() => expandPlaceholders('{{canaryVersion}}', values)).toThrow(
      new PlaceholderError('canaryVersion'),
    );
    expect(() => expandPlaceholders('{{canaryVersion}}', values)).toThrow(
      '{{canaryVersion}} has no value in this analysis',
    );
  });

  it('names unknown placeholders once each', () => {
    expect(unknownPlaceholders('{{versoin}} {{service}} {{versoin}} {{ app }}')).toEqual([
      'versoin',
      'app',
    ]);
  });
});
