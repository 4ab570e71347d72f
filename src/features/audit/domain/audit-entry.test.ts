import { describe, expect, it } from 'vitest';
import { redact } from './audit-entry.js';
import { parseSince } from './since.js';

describe('redact', () => {
  it('hides the value of every key that names a secret, at any depth, and keeps the rest', () => {
    expect(
      redact({
        name: 'ci',
        secret: 'ferry_tok-1_abc',
        nested: { apiKey: 'k', password: 'p', list: [{ authToken: 't', environment: 'prod' }] },
        webhook: { url: 'https://x', Authorization: 'Bearer y' },
      }),
    ).toEqual({
      name: 'ci',
      secret: '[redacted]',
      nested: {
        apiKey: '[redacted]',
        password: '[redacted]',
        list: [{ authToken: '[redacted]', environment: 'prod' }],
      },
      webhook: { url: 'https://x', Authorization: '[redacted]' },
    });
  });
});

describe('parseSince', () => {
  const now = Date.parse('2030-01-01T12:00:00.000Z');
  it('reads a duration back from now, or an ISO-8601 time; nothing else', () => {
    expect(parseSince('1h', now)).toBe('2030-01-01T11:00:00.000Z');
    expect(parseSince('30m', now)).toBe('2030-01-01T11:30:00.000Z');
    expect(parseSince('7d', now)).toBe('2029-12-25T12:00:00.000Z');
    expect(parseSince('2030-01-01T10:00:00+02:00', now)).toBe('2030-01-01T08:00:00.000Z');
    expect(parseSince('yesterday', now)).toBeUndefined();
    expect(parseSince('1y', now)).toBeUndefined();
  });
});
