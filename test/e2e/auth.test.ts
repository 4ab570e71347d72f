import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { packDirectory } from '../../src/features/artifacts/pack-directory.js';
import { FerryServer } from '../support/ferry-server.js';

type Env = Record<string, string | undefined>;

const unauthorizedBody = {
  error: { code: 'unauthorized', message: 'a valid bearer token is required' },
};

/** The bootstrap admin token the server printed, from its output. */
function bootstrapToken(server: FerryServer): string {
  const match = /^bootstrap admin token .*: (ferry_\S+)$/m.exec(server.output.join(''));
  if (!match?.[1]) throw new Error(`no bootstrap token in: ${server.output.join('')}`);
  return match[1];
}

async function call(
  server: FerryServer,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  options: { token?: string; json?: unknown; body?: Buffer } = {},
) {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.body !== undefined) headers['content-type'] = 'application/gzip';
  const res = await request(`${server.url}${path}`, {
    method,
    headers,
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

/**
 * A server listening on 0.0.0.0, called through 127.0.0.1: every API route needs a token, the
 * CLI manages and sends tokens, and no token leaks into events, API output or logs.
 */
describe('API authentication beyond loopback', () => {
  let server: FerryServer;
  const configHome = mkdtempSync(join(tmpdir(), 'ferry-auth-config-'));
  /** Every secret these tests saw, checked for leaks at the end. */
  const secrets = new Set<string>();

  const ferry = async (args: string[], env: Env = {}, stdin?: string) => {
    const capture = captureIo({
      pollIntervalMs: 100,
      env: { XDG_CONFIG_HOME: configHome, ...env },
      ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
    });
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };

  beforeAll(async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1 }));
    await server.start(['--listen', `0.0.0.0:${server.port}`, '--log-level', 'debug']);
  });
  afterAll(() => server.destroy());

  it('refuses an unauthenticated upload and deploy with 401 and stores nothing', async () => {
    const bytes = await packDirectory(helloVersion({ version: 'v1' }));
    const upload = await call(server, 'PUT', '/api/v1/artifacts/hello/v1', { body: bytes });
    expect(upload.status).toBe(401);
    expect(upload.json()).toEqual(unauthorizedBody);
    expect(upload.headers['www-authenticate']).toBe('Bearer realm="ferry"');
    const deploy = await call(server, 'POST', '/api/v1/deployments', {
      json: { service: 'hello', environment: 'prod', version: 'v1' },
    });
    expect(deploy.status).toBe(401);
    expect(deploy.json()).toEqual(unauthorizedBody);
    for (const path of ['/api/v1/services', '/api/v1/events/stream', '/openapi.json', '/nope']) {
      expect((await call(server, 'GET', path)).status, path).toBe(401);
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await call(server, 'GET', path)).status, path).toBe(200);
    }

    const token = bootstrapToken(server);
    const artifacts = await call(server, 'GET', '/api/v1/artifacts/hello', { token });
    expect(artifacts.json()).toEqual({ artifacts: [] });
    const history = await call(
      server,
      'GET',
      '/api/v1/deployments?service=hello&environment=prod',
      {
        token,
      },
    );
    expect(history.json()).toEqual({ deployments: [] });
  });

  it('prints the bootstrap admin token on one line and keeps it in a 0600 file', () => {
    const token = bootstrapToken(server);
    secrets.add(token);
    const output = server.output.join('');
    expect(output.split(token)).toHaveLength(2);
    const file = join(server.dataDir, 'initial-admin-token');
    expect(readFileSync(file, 'utf8')).toBe(`${token}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('creates, uses, lists and revokes tokens with the CLI; a revoked or expired token gets 401', async () => {
    const admin = { FERRY_TOKEN: bootstrapToken(server) };
    const created = await ferry(['token', 'create', 'ci', '--expires', '30d'], admin);
    expect(created.code, created.stderr).toBe(0);
    const ci = created.stdout.trim();
    secrets.add(ci);
    expect(ci).toMatch(/^ferry_tok-[a-z0-9]+_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/^created token tok-\S+ "ci" \(admin, expires 20\d\d-/);

    // The new token deploys: upload, deploy and following the rollout all carry it.
    const dir = helloVersion({ version: 'v1' });
    const deploy = await ferry(
      ['deploy', 'hello', '--env', 'prod', '--dir', dir, '--version', 'v1'],
      {
        FERRY_TOKEN: ci,
      },
    );
    expect(deploy.code, deploy.stderr).toBe(0);

    const stream = await request(`${server.url}/api/v1/events/stream?after=0`, {
      headers: { authorization: `Bearer ${ci}` },
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    stream.body.destroy();

    const listed = await ferry(['token', 'list', '--json'], admin);
    expect(listed.code, listed.stderr).toBe(0);
    const { tokens } = JSON.parse(listed.stdout) as { tokens: Record<string, unknown>[] };
    const ciView = tokens.find((t) => t.name === 'ci');
    expect(ciView).toMatchObject({
      role: 'admin',
      scopes: ['*'],
      createdBy: expect.stringMatching(/^token:tok-/),
      expiresAt: expect.any(String),
      lastUsedAt: expect.any(String),
      revokedAt: null,
    });
    expect(Object.keys(ciView ?? {}).sort()).toEqual([
      'createdAt',
      'createdBy',
      'expiresAt',
      'id',
      'lastUsedAt',
      'name',
      'revokedAt',
      'role',
      'scopes',
    ]);
    const table = await ferry(['token', 'list'], admin);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^ID +NAME +ROLE +SCOPES +CREATED +LAST-USED +EXPIRES +REVOKED$/,
    );

    const ciId = String(ciView?.id);
    const revoked = await ferry(['token', 'revoke', ciId], admin);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toContain(`revoked token ${ciId} "ci"`);
    const refused = await ferry(['status'], { FERRY_TOKEN: ci });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the token from FERRY_TOKEN');
    const afterRevoke = await call(server, 'GET', '/api/v1/services', { token: ci });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.json()).toEqual(unauthorizedBody);

    const short = await ferry(['token', 'create', 'short', '--expires', '1d'], admin);
    const shortSecret = short.stdout.trim();
    secrets.add(shortSecret);
    expect((await call(server, 'GET', '/api/v1/services', { token: shortSecret })).status).toBe(
      200,
    );
    // A day is long to wait: move its expiry into the past in the server's own store.
    const db = new SQLite(join(server.dataDir, 'ferry.db'));
    try {
      db.prepare(
        "update api_tokens set expires_at = '2001-01-01T00:00:00.000Z' where name = 'short'",
      ).run();
    } finally {
      db.close();
    }
    const expired = await call(server, 'GET', '/api/v1/services', { token: shortSecret });
    expect(expired.status).toBe(401);
    expect(expired.json()).toEqual(unauthorizedBody);

    const unknown = `ferry_${ciId}_${'A'.repeat(43)}`;
    secrets.add(unknown);
    const guessed = await call(server, 'GET', '/api/v1/services', { token: unknown });
    expect(guessed.status).toBe(401);
    expect(guessed.json()).toEqual(unauthorizedBody);
  });

  it('ferry login checks the token and saves it 0600 for that server only', async () => {
    const bad = await ferry(['login'], {}, `ferry_tok-nope_${'B'.repeat(43)}\n`);
    secrets.add(`ferry_tok-nope_${'B'.repeat(43)}`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('refused this token');
    const file = join(configHome, 'ferry', 'credentials.json');
    expect(() => statSync(file)).toThrow();

    const created = await ferry(['token', 'create', 'laptop'], {
      FERRY_TOKEN: bootstrapToken(server),
    });
    const laptop = created.stdout.trim();
    secrets.add(laptop);
    const login = await ferry(['login'], {}, `${laptop}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(
      /^logged in to http:\/\/127\.0\.0\.1:\d+ with token tok-\S+ "laptop"/,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(configHome, 'ferry')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      servers: { [server.url]: { token: laptop } },
    });

    const status = await ferry(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    // Saved for this server only: another server gets no token.
    const other = captureIo({ env: { XDG_CONFIG_HOME: configHome } });
    const otherUrl = `http://127.0.0.2:${server.port}`;
    expect(await main(['status', '--server', otherUrl], other.io)).toBe(1);
    expect(other.stderr()).toContain('requires an API token');
  });

  it('keeps every token out of the event log, API output and server logs', async () => {
    const token = bootstrapToken(server);
    const events = await call(server, 'GET', '/api/v1/events?limit=1000', { token });
    const kinds = (events.json() as { events: { kind: string }[] }).events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['token.created', 'token.revoked']));
    const tokens = await call(server, 'GET', '/api/v1/tokens', { token });
    const output = server.output.join('');
    expect(secrets.size).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) {
      expect(events.text).not.toContain(secret);
      expect(tokens.text).not.toContain(secret);
      expect(output.split(secret).length - 1).toBe(secret === token ? 1 : 0);
    }
  });

  // Last: it blocks 127.0.0.1 for a minute.
  it('answers 429 to an address after repeated failures, even with a valid token', async () => {
    const bad = `ferry_tok-guess_${'C'.repeat(43)}`;
    let status = 0;
    for (let attempt = 0; attempt < 11 && status !== 429; attempt++) {
      status = (await call(server, 'GET', '/api/v1/services', { token: bad })).status;
    }
    expect(status).toBe(429);
    const blocked = await call(server, 'GET', '/api/v1/services', {
      token: bootstrapToken(server),
    });
    expect(blocked.status).toBe(429);
    expect(blocked.json()).toMatchObject({ error: { code: 'too_many_requests' } });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('ferry server --auth required on loopback', () => {
  let server: FerryServer;
  beforeAll(async () => {
    server = await FerryServer.create(helloConfig({ routePort: await freePort(), replicas: 1 }));
    await server.start(['--auth', 'required']);
  });
  afterAll(() => server.destroy());

  it('refuses tokenless calls that loopback lets through by default', async () => {
    expect((await call(server, 'GET', '/api/v1/services')).status).toBe(401);
    const token = bootstrapToken(server);
    expect((await call(server, 'GET', '/api/v1/services', { token })).status).toBe(200);
  });
});
