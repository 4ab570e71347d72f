import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsPath, resolveCredentials, saveCredentials } from './credentials.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-credentials-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('credentials', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe(
      '/x/ferry/credentials.json',
    );
    expect(credentialsPath({ HOME: '/h' })).toBe('/h/.config/ferry/credentials.json');
  });

  it('saves one token per server, 0600 in a 0700 folder, and finds it by URL', () => {
    const env = { XDG_CONFIG_HOME: dir };
    const file = saveCredentials(env, 'http://127.0.0.1:7700/', 'ferry_tok-a_1');
    saveCredentials(env, 'https://ferry.example.com', 'ferry_tok-b_2');
    saveCredentials(env, 'http://127.0.0.1:7700', 'ferry_tok-a_3');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ferry')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      servers: {
        'http://127.0.0.1:7700': { token: 'ferry_tok-a_3' },
        'https://ferry.example.com': { token: 'ferry_tok-b_2' },
      },
    });
    expect(resolveCredentials(env, 'http://127.0.0.1:7700/')).toEqual({
      token: 'ferry_tok-a_3',
      from: file,
    });
    expect(resolveCredentials(env, 'http://127.0.0.1:7701')).toBeUndefined();
  });

  it('prefers FERRY_TOKEN to a saved token', () => {
    const env = { XDG_CONFIG_HOME: dir };
    saveCredentials(env, 'http://127.0.0.1:7700', 'saved');
    expect(
      resolveCredentials({ ...env, FERRY_TOKEN: ' from-env\n' }, 'http://127.0.0.1:7700'),
    ).toEqual({ token: 'from-env', from: 'FERRY_TOKEN' });
  });

  it('says which file to delete when it is not JSON', () => {
    mkdirSync(join(dir, 'ferry'));
    writeFileSync(join(dir, 'ferry', 'credentials.json'), '{');
    expect(() => resolveCredentials({ XDG_CONFIG_HOME: dir }, 'http://127.0.0.1:7700')).toThrow(
      /credentials\.json is not valid JSON; delete it and run "ferry login" again/,
    );
  });
});
