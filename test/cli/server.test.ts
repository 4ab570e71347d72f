import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { FerryServer } from '../support/ferry-server.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-cli-server-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ferry server', () => {
  it('serves the API until interrupted, then closes and exits 0', async () => {
    const config = join(dir, 'ferry.yaml');
    await writeFile(
      config,
      [
        'apiVersion: ferry.dev/v1',
        'environments:',
        '  - name: prod',
        'services:',
        '  web:',
        '    runtime:',
        '      local:',
        '        command: node server.js',
        '',
      ].join('\n'),
    );
    const stop = new AbortController();
    const server = captureIo({ signal: stop.signal });
    const args = ['server', '-f', config, '--data', join(dir, 'data'), '--listen', '127.0.0.1:0'];
    args.push('--log-level', 'silent');
    const running = main(args, server.io);
    await until(() => server.stderr().includes('ferry server listening on '), 'the server');
    const url = /listening on (\S+)/.exec(server.stderr())?.[1] ?? '';

    const status = captureIo();
    expect(await main(['status', '--json', '--server', url], status.io)).toBe(0);
    expect(JSON.parse(status.stdout())).toMatchObject({
      services: [{ name: 'web', environments: [{ environment: 'prod', live: null }] }],
    });

    stop.abort();
    expect(await running).toBe(0);
    expect(server.stderr()).toContain('ferry server stopping\n');
    // The router process outlives the server: it says which one, and how to end it.
    expect(server.stderr()).toMatch(
      /the router \(pid \d+\) keeps serving the routes; "ferry router stop --data \S+" ends it\n/,
    );
  });

  it('prints every config mistake with file:line:col and exits 1', async () => {
    const out = captureIo();
    const file = 'test/fixtures/config/unknown-field.yaml';
    expect(await main(['server', '-f', file, '--data', join(dir, 'data')], out.io)).toBe(1);
    expect(out.stderr()).toBe(
      `${file}:9:9 services.web.runtime.local.replica: unknown field "replica"; allowed fields are command, cwd, env, replicas, user\n`,
    );
  });

  it('logs each config warning as file:line:col field: message, and serves', async () => {
    const server = await FerryServer.create(
      [
        'apiVersion: ferry.dev/v1',
        'environments:',
        '  - name: prod',
        'services:',
        '  web:',
        '    runtime:',
        '      local:',
        '        command: node server.js',
        '        replicas: 2',
        '',
      ].join('\n'),
    );
    try {
      await server.start();
      expect(server.output.join('')).toContain(
        `${server.configPath}:9:9 services.web.runtime.local.replicas: deprecated; move it to services.web.replicas`,
      );
    } finally {
      await server.destroy();
    }
  });

  it('exits 2 for a malformed --listen', async () => {
    const out = captureIo();
    expect(await main(['server', '--listen', 'localhost'], out.io)).toBe(2);
    expect(out.stderr()).toBe(
      'error: --listen "localhost" is not an address; expected e.g. 127.0.0.1:7700 or :7700\n',
    );
  });
});
