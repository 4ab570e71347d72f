import { describe, expect, it } from 'vitest';
import { cookieValue, RequestInspector } from './request-inspector.js';

describe('cookieValue', () => {
  it('finds a cookie among others, trimmed and unquoted, first occurrence first', () => {
    expect(cookieValue('a=1; ferry-version=2.0.0;b=3', 'ferry-version')).toBe('2.0.0');
    expect(cookieValue(' v = "x y" ', 'v')).toBe('x y');
    expect(cookieValue('v=1; v=2', 'v')).toBe('1');
    expect(cookieValue('v=', 'v')).toBe('');
  });

  it('does not confuse names that contain each other', () => {
    expect(cookieValue('xv=1; vx=2', 'v')).toBeUndefined();
    expect(cookieValue('novalue; v', 'v')).toBeUndefined();
    expect(cookieValue('', 'v')).toBeUndefined();
  });
});

describe('RequestInspector', () => {
  it('reads header names in any case and joins repeated Cookie fields', () => {
    const inspector = new RequestInspector(
      [{ source: 'header', name: 'x-beta', kind: 'exact', value: 'yes' }],
      'sticky',
    );

    expect(inspector.inspect(['X-BETA', 'yes']).matchedBy).toBe('header');
    expect(inspector.inspect(['cookie', 'a=1', 'COOKIE', 'sticky=2.0.0'])).toEqual({
      matchedBy: undefined,
      stickyValue: '2.0.0',
    });
  });
});
