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

describe('ferry server --store', () => {
  it('takes PostgreSQL URLs only, and never echoes a password', async () => {
    const out = captureIo();
    const code = await main(['server', '--store', 'mysql://ferry:s3cret@db/ferry'], out.io);
    expect(code).toBe(2);
    expect(out.stderr()).toBe(
      'error: --store "mysql://ferry@db/ferry" is not a PostgreSQL URL; expected e.g. ' +
        'postgres://ferry@127.0.0.1:5432/ferry (leave it out to keep the store in --data)\n',
    );
  });
});

describe('ferry server --help', () => {
  it('says the router keeps serving after the server stops, and how --upgrade renews it', async () => {
    const out = captureIo();
    expect(await main(['server', '--help'], out.io)).toBe(0);
    // Help wraps at the terminal's width: read it as one line.
    const help = out.stdout().replace(/\s+/g, ' ');
    expect(help).toContain('its router process keeps serving after it stops');
    expect(help).toContain("--upgrade replace the running router's workers with this Ferry's code");
  });
});
