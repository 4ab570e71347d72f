import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { defaultHaproxyBinary } from './haproxy-process.js';

const hint = 'install haproxy (2.6 or later): apt-get install haproxy';

/**
 * Whether a real HAProxy can run here. Not a test file itself: tests import it. When it cannot,
 * registers one test that skips with the install hint, or that fails under CI (`CI=true`),
 * which must have HAProxy.
 *
 * @example describe.runIf(requireHaproxy())('HAProxy data plane', () => { ... });
 */
export function requireHaproxy(): boolean {
  if (existsSync(defaultHaproxyBinary)) return true;
  if (process.env['CI'] === 'true') {
    it('finds HAProxy, which CI must have', () => {
      expect.fail(`${defaultHaproxyBinary} is missing; ${hint}`);
    });
  } else {
    console.warn(hint);
    it.skip(hint, () => {});
  }
  return false;
}
