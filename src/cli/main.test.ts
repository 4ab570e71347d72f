import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { serviceFixture } from './test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from './test-api-server.js';

/** A URL nothing listens on: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('ferry usage errors', () => {
  it('exits 2 with one readable line for an unknown command', async () => {
    const out = captureIo();
    expect(await main(['deplyo'], out.io)).toBe(2);
    expect(out.stderr()).toBe("error: unknown command 'deplyo' (Did you mean deploy?)\n");
    expect(out.stdout()).toBe('');
  });

  it('exits 2 when a required option is missing', async () => {
    const out = captureIo();
    expect(await main(['history', 'web'], out.io)).toBe(2);
    expect(out.stderr()).toBe("error: required option '--env <environment>' not specified\n");
  });

  it('exits 2 for an unknown option', async () => {
    const out = captureIo();
    expect(await main(['status', '--bogus'], out.io)).toBe(2);
    expect(out.stderr()).toBe("error: unknown option '--bogus'\n");
  });

  it('exits 2 for a malformed number', async () => {
    const out = captureIo();
    expect(await main(['history', 'web', '--env', 'prod', '--limit', 'ten'], out.io)).toBe(2);
    expect(out.stderr()).toContain("error: option '--limit <n>' argument 'ten' is invalid.");
  });

  it('exits 2 for a --server that is not a URL', async () => {
    const out = captureIo();
    expect(await main(['status', '--server', 'localhost:7700'], out.io)).toBe(2);
    expect(out.stderr()).toBe(
      'error: --server "localhost:7700" must be an http:// or https:// URL\n',
    );
  });

  it('prints help on stdout and exits 0 for --help', async () => {
    const out = captureIo();
    expect(await main(['deploy', '--help'], out.io)).toBe(0);
    expect(out.stdout()).toContain('Usage: ferry deploy [options] <service>');
    expect(out.stdout()).toContain('--server <url>');
  });

  it("prints ferry's version on stdout and exits 0 for --version", async () => {
    const out = captureIo();
    expect(await main(['--version'], out.io)).toBe(0);
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(out.stdout()).toBe(`${version}\n`);
  });

  it('exits 2 with the command list when no command is given', async () => {
    const out = captureIo();
    expect(await main([], out.io)).toBe(2);
    expect(out.stderr()).toContain('Usage: ferry');
  });
});

describe('ferry server address', () => {
  it('says how to start a server when nothing listens', async () => {
    const url = await deadUrl();
    const out = captureIo();
    expect(await main(['status', '--server', url], out.io)).toBe(1);
    expect(out.stderr()).toBe(
      `error: no Ferry server at ${url} (start one with "ferry server", or set --server / FERRY_SERVER)\n`,
    );
  });

  it('with --json also prints the error document on stdout', async () => {
    const url = await deadUrl();
    const out = captureIo();
    expect(await main(['status', '--json', '--server', url], out.io)).toBe(1);
    expect(JSON.parse(out.stdout())).toMatchObject({ error: { code: 'server_unreachable' } });
  });

  it('takes the server from FERRY_SERVER', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/services' ? { json: { services: [serviceFixture()] } } : undefined,
    );
    const out = captureIo({ env: { FERRY_SERVER: api.url } });
    expect(await main(['status'], out.io)).toBe(0);
    expect(api.requests.map((r) => r.path)).toEqual(['/api/v1/services']);
  });

  it('renders an API error body as one line and exits 1', async () => {
    api = await startFakeApi(() => ({
      status: 500,
      json: { error: { code: 'internal', message: 'internal error' } },
    }));
    const out = captureIo();
    expect(await main(['status', '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe('error: internal error\n');
  });
});
