import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authKit } from './test-auth-kit.js';

let kit: Awaited<ReturnType<typeof authKit>>;
beforeEach(async () => {
  kit = await authKit();
});
afterEach(() => kit.close());

describe('TokenService', () => {
  it('stores only a hash of the secret and shows the secret only at creation', async () => {
    const { token, secret } = await kit.tokens.create({ name: 'ci', actor: 'local' });
    expect(secret).toMatch(new RegExp(`^ferry_${token.id}_[A-Za-z0-9_-]{43}$`));
    expect(token).toEqual({
      id: token.id,
      name: 'ci',
      role: 'admin',
      scopes: ['*'],
      createdAt: '2030-01-01T00:00:00.000Z',
      createdBy: 'local',
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    const rows = await kit.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret.slice(-43));
    expect(rows[0]?.secret_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await kit.tokens.list())).not.toContain(secret.slice(-43));
  });

  it('authenticates its secret only, and records the last use at most once a minute', async () => {
    const { token, secret } = await kit.tokens.create({ name: 'ci', actor: 'local' });
    expect((await kit.tokens.authenticate(secret))?.id).toBe(token.id);
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    for (const wrong of [flipped, `${secret}x`, 'ferry_tok-nope_' + 'A'.repeat(43), '', 'x']) {
      expect(await kit.tokens.authenticate(wrong), wrong).toBeUndefined();
    }
    const used = async () => (await kit.tokens.list())[0]?.lastUsedAt;
    expect(await used()).toBe('2030-01-01T00:00:00.000Z');
    kit.clock.advance(30_000);
    await kit.tokens.authenticate(secret);
    expect(await used()).toBe('2030-01-01T00:00:00.000Z');
    kit.clock.advance(30_000);
    await kit.tokens.authenticate(secret);
    expect(await used()).toBe('2030-01-01T00:01:00.000Z');
  });

  it('refuses a token once it has expired', async () => {
    const { secret, token } = await kit.tokens.create({
      name: 'short',
      lifetimeMs: 3_600_000,
      actor: 'local',
    });
    expect(token.expiresAt).toBe('2030-01-01T01:00:00.000Z');
    kit.clock.advance(3_599_999);
    expect(await kit.tokens.authenticate(secret)).toBeDefined();
    kit.clock.advance(1);
    expect(await kit.tokens.authenticate(secret)).toBeUndefined();
  });

  it('revokes for good, once, with an event that names the token but not its secret', async () => {
    const { token, secret } = await kit.tokens.create({ name: 'ci', actor: 'local' });
    kit.clock.advance(5000);
    const revoked = await kit.tokens.revoke(token.id, 'token:tok-admin');
    expect(revoked.revokedAt).toBe('2030-01-01T00:00:05.000Z');
    expect(await kit.tokens.authenticate(secret)).toBeUndefined();
    kit.clock.advance(5000);
    expect((await kit.tokens.revoke(token.id, 'local')).revokedAt).toBe(revoked.revokedAt);
    await expect(kit.tokens.revoke('tok-missing', 'local')).rejects.toMatchObject({
      code: 'not_found',
    });
    const events = await kit.events.list({ limit: 100 });
    expect(events.map((e) => `${e.kind} ${e.subject} ${e.actor}`)).toEqual([
      `token.created token/${token.id} local`,
      `token.revoked token/${token.id} token:tok-admin`,
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('bootstraps an admin token only while no admin token is active', async () => {
    const first = await kit.tokens.bootstrap();
    expect(first).toBeDefined();
    expect(await kit.tokens.bootstrap()).toBeUndefined();
    const [bootstrap] = await kit.tokens.list();
    expect(bootstrap).toMatchObject({ name: 'bootstrap', role: 'admin', createdBy: 'bootstrap' });
    await kit.tokens.revoke(bootstrap?.id ?? '', 'local');
    const again = await kit.tokens.bootstrap();
    expect(again).toBeDefined();
    expect(again).not.toBe(first);
    expect(await kit.tokens.list()).toHaveLength(2);
  });
});
