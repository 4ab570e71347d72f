import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../server/build-api.js';
import type { ZodApp } from '../../server/zod-app.js';
import { authHook, principalOf } from './auth-hook.js';
import { environmentScopeHook } from './environment-scope-hook.js';
import { FailureLimiter } from './domain/failure-limiter.js';
import { authKit } from './test-auth-kit.js';

let kit: Awaited<ReturnType<typeof authKit>>;
let app: ZodApp | undefined;
beforeEach(async () => {
  kit = await authKit();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await kit.close();
});

const unauthorized = {
  error: { code: 'unauthorized', message: 'a valid bearer token is required' },
};

async function api(required: boolean) {
  const limiter = new FailureLimiter(kit.clock, { maxFailures: 10, windowMs: 60_000 });
  app = await buildApi({
    logger: pino({ level: 'silent' }),
    isReady: () => true,
    registry: new Registry(),
    authenticate: authHook({ tokens: kit.tokens, limiter, required }),
    authorize: environmentScopeHook,
    register: (a) => {
      a.get('/api/v1/who', { config: { permission: 'read' } }, async (request) =>
        principalOf(request),
      );
      a.post('/api/v1/ship/:environment', { config: { permission: 'deploy' } }, async () => ({
        shipped: true,
      }));
      a.post('/api/v1/promote', { config: { permission: 'deploy' } }, async () => ({
        shipped: true,
      }));
    },
  });
  return app;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('authHook', () => {
  it('when required: 401 with no detail without a valid token; probes stay open', async () => {
    const server = await api(true);
    const { secret, token } = await kit.tokens.create({ name: 'ci', actor: 'local' });
    const none = await server.inject({ url: '/api/v1/who' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual(unauthorized);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="ferry"');
    for (const headers of [bearer('nope'), { authorization: secret }, bearer(`${secret}x`)]) {
      const bad = await server.inject({ url: '/api/v1/who', headers });
      expect(bad.statusCode).toBe(401);
      expect(bad.json()).toEqual(unauthorized);
    }
    expect((await server.inject({ url: '/no/such/route' })).statusCode).toBe(401);
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect((await server.inject({ url })).statusCode, url).toBe(200);
    }
    const ok = await server.inject({ url: '/api/v1/who', headers: bearer(secret) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ kind: 'token', token: { id: token.id, name: 'ci' } });
  });

  it('when optional: a tokenless call passes as local, a token sent must still be valid', async () => {
    const server = await api(false);
    const local = await server.inject({ url: '/api/v1/who' });
    expect(local.json()).toEqual({ kind: 'local' });
    const bad = await server.inject({ url: '/api/v1/who', headers: bearer('nope') });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual(unauthorized);
  });

  it('answers 429 to an address after ten failed tokens a minute, valid token or not', async () => {
    const server = await api(true);
    const { secret } = await kit.tokens.create({ name: 'ci', actor: 'local' });
    // Calls without any token are not guesses: they do not count.
    for (let i = 0; i < 20; i++) await server.inject({ url: '/api/v1/who' });
    for (let i = 0; i < 10; i++) {
      kit.clock.advance(1000);
      const bad = await server.inject({ url: '/api/v1/who', headers: bearer(`guess-${i}`) });
      expect(bad.statusCode, `attempt ${i}`).toBe(401);
    }
    const blocked = await server.inject({ url: '/api/v1/who', headers: bearer(secret) });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe('51');
    expect(blocked.json()).toMatchObject({ error: { code: 'too_many_requests' } });
    expect((await server.inject({ url: '/healthz' })).statusCode).toBe(200);
    kit.clock.advance(51_000);
    const again = await server.inject({ url: '/api/v1/who', headers: bearer(secret) });
    expect(again.statusCode).toBe(200);
  });

  it("403 names the permission a token's role lacks, or the environment outside its scopes", async () => {
    const server = await api(true);
    const viewer = await kit.tokens.create({ name: 'eyes', actor: 'local', role: 'viewer' });
    const stagingDeployer = await kit.tokens.create({
      name: 'ci',
      actor: 'local',
      role: 'deployer',
      scopes: ['staging', 'dev'],
    });
    const read = await server.inject({ url: '/api/v1/who', headers: bearer(viewer.secret) });
    expect(read.statusCode).toBe(200);
    const refused = await server.inject({
      method: 'POST',
      url: '/api/v1/ship/staging',
      headers: bearer(viewer.secret),
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'a viewer token lacks the "deploy" permission',
        permission: 'deploy',
        environment: null,
      },
    });
    const ship = (url: string, payload?: object) =>
      server.inject({ method: 'POST', url, headers: bearer(stagingDeployer.secret), payload });
    expect((await ship('/api/v1/ship/staging')).statusCode).toBe(200);
    expect((await ship('/api/v1/ship/dev')).statusCode).toBe(200);
    const prod = await ship('/api/v1/ship/prod');
    expect(prod.statusCode).toBe(403);
    expect(prod.json()).toMatchObject({
      error: { code: 'forbidden', permission: 'deploy', environment: 'prod' },
    });
    expect((await ship('/api/v1/promote', { to: 'prod' })).statusCode).toBe(403);
    expect((await ship('/api/v1/promote', { environment: 'prod' })).statusCode).toBe(403);
    expect((await ship('/api/v1/promote?environment=prod')).statusCode).toBe(403);
    expect((await ship('/api/v1/promote', { to: 'staging' })).statusCode).toBe(200);
  });

  it('refuses to start with a route that declares no permission', async () => {
    const limiter = new FailureLimiter(kit.clock, { maxFailures: 10, windowMs: 60_000 });
    await expect(
      buildApi({
        logger: pino({ level: 'silent' }),
        isReady: () => true,
        authenticate: authHook({ tokens: kit.tokens, limiter, required: true }),
        register: (a) => {
          a.post('/api/v1/undeclared', async () => ({}));
        },
      }),
    ).rejects.toThrow(/route POST \/api\/v1\/undeclared declares no permission/);
  });
});
