import { describe, expect, it } from 'vitest';
import { isLoopbackHost, tokenRequired } from './auth-mode.js';

describe('tokenRequired', () => {
  it('requires a token beyond loopback whatever the mode', () => {
    for (const host of ['0.0.0.0', '::', '', '192.168.1.10', 'example.com', '::ffff:10.0.0.1']) {
      expect(tokenRequired('auto', host), host).toBe(true);
      expect(tokenRequired('required', host), host).toBe(true);
    }
  });

  it('leaves tokens optional on loopback unless required', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(tokenRequired('auto', host), host).toBe(false);
      expect(tokenRequired('required', host), host).toBe(true);
    }
  });

  it('does not take look-alikes for loopback', () => {
    for (const host of ['127.0.0.1.example.com', '127.0.0.256', '1127.0.0.1', 'localhost.evil']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
