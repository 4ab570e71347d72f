import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapAdminToken, bootstrapTokenFile } from './bootstrap-token.js';
import { authKit } from './test-auth-kit.js';

let kit: Awaited<ReturnType<typeof authKit>>;
beforeEach(async () => {
  kit = await authKit();
});
afterEach(() => kit.close());

describe('bootstrapAdminToken', () => {
  it('writes the first token to a 0600 file, keeps it while active, removes it once revoked', async () => {
    const file = bootstrapTokenFile(kit.dir);
    const secret = await bootstrapAdminToken(kit.tokens, kit.dir);
    expect(secret).toBeDefined();
    expect(readFileSync(file, 'utf8')).toBe(`${secret}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect(await bootstrapAdminToken(kit.tokens, kit.dir)).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(`${secret}\n`);

    // Another admin token stays active, so no new bootstrap: the stale file just goes.
    await kit.tokens.create({ name: 'ops', actor: 'local' });
    const bootstrap = (await kit.tokens.list()).find((t) => t.name === 'bootstrap');
    await kit.tokens.revoke(bootstrap?.id ?? '', 'local');
    expect(await bootstrapAdminToken(kit.tokens, kit.dir)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });
});
