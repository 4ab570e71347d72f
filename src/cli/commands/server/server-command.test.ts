import { describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo } from '../../test-api-server.js';

describe('ferry server --auth', () => {
  it('accepts auto or required only: there is no way to switch authentication off', async () => {
    const out = captureIo();
    const code = await main(['server', '--auth', 'off', '--listen', '0.0.0.0:0'], out.io);
    expect(code).toBe(2);
    expect(out.stderr()).toBe(
      "error: option '--auth <mode>' argument 'off' is invalid. expected auto or required.\n",
    );
  });
});
