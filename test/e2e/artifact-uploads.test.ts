import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { packDirectory } from '../../src/features/artifacts/pack-directory.js';
import { serverJs, tarGzOf, tarOf, zeroBomb } from '../../src/features/artifacts/test-tarballs.js';
import { FerryServer } from '../support/ferry-server.js';

interface Answer {
  readonly status: number;
  readonly error: { code?: string; reason?: string; message?: string };
}

async function put(server: FerryServer, path: string, body: Buffer): Promise<Answer> {
  const res = await request(`${server.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/gzip' },
    body,
  });
  const json = (await res.body.json()) as { error?: Answer['error'] };
  return { status: res.statusCode, error: json.error ?? {} };
}

/** Every file under the data folder: a refused upload must leave none behind, not even a temp. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (path) =>
        !/\/(ferry\.db(-wal|-shm)?|ferry\.lock|ferry\.pid|initial-admin-token|server-id)$/.test(
          path,
        ) &&
        !path.includes('/logs/') &&
        !path.includes('/router/'),
    );
}

/** Peak resident memory (VmHWM, kB) of the `ferry server` process of this data folder. */
function serverPeakKb(server: FerryServer): number {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const args = cmdline.split('\0');
    if (args.includes('server') && args.includes(server.dataDir)) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    }
  }
  throw new Error('ferry server process not found');
}

describe('artifact uploads are checked when they arrive', () => {
  let tight: FerryServer;
  let defaults: FerryServer;
  beforeAll(async () => {
    const limits = `artifacts: { maxUploadSize: 64KiB, maxUnpackedSize: 1MiB, maxEntries: 20 }\n`;
    tight = await FerryServer.create(helloConfig({ routePort: await freePort() }) + limits);
    defaults = await FerryServer.create(helloConfig({ routePort: await freePort() }));
    await Promise.all([tight.start(), defaults.start()]);
  });
  afterAll(async () => {
    await Promise.all([tight.destroy(), defaults.destroy()]);
  });

  const cut = (bytes: Buffer, keep: number) => bytes.subarray(0, bytes.length - keep);
  const flipped = (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    copy[copy.length - 6] = (copy[copy.length - 6] ?? 0) ^ 0xff;
    return copy;
  };
  const many = Array.from({ length: 21 }, (_, i) => ({ path: `f${i}.js`, body: 'x' }));

  it.each<[string, () => Buffer, number, string, string]>([
    ['an empty body', () => Buffer.alloc(0), 422, 'artifact_invalid', 'empty'],
    ['an empty archive', () => tarGzOf([]), 422, 'artifact_invalid', 'empty'],
    ['corrupt gzip', () => flipped(tarGzOf([serverJs])), 422, 'artifact_invalid', 'corrupt_gzip'],
    [
      'bytes that are not gzip',
      () => Buffer.from('not gzip at all'),
      422,
      'artifact_invalid',
      'corrupt_gzip',
    ],
    [
      'truncated gzip',
      () => cut(tarGzOf([serverJs, { path: 'big.js', body: 'q'.repeat(40_000) }]), 50),
      422,
      'artifact_invalid',
      'truncated',
    ],
    [
      'a truncated tar',
      () => gzipSync(tarOf([{ path: 'a.js', body: 'y'.repeat(4096) }]).subarray(0, 2048)),
      422,
      'artifact_invalid',
      'truncated',
    ],
    [
      'an entry with ..',
      () => tarGzOf([serverJs, { path: '../../escape.js', body: 'x' }]),
      422,
      'artifact_invalid',
      'unsafe_path',
    ],
    [
      'an absolute path',
      () => tarGzOf([serverJs, { path: '/tmp/ferry-owned', body: 'x' }]),
      422,
      'artifact_invalid',
      'unsafe_path',
    ],
    [
      'a symlink to /etc/passwd',
      () => tarGzOf([serverJs, { path: 'passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' }]),
      422,
      'artifact_invalid',
      'link_outside',
    ],
    [
      'a hardlink outside',
      () => tarGzOf([serverJs, { path: 'shadow', type: 'Link', linkpath: '../../../etc/shadow' }]),
      422,
      'artifact_invalid',
      'link_outside',
    ],
    [
      'a character device',
      () => tarGzOf([serverJs, { path: 'null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }]),
      422,
      'artifact_invalid',
      'special_file',
    ],
    [
      'a fifo',
      () => tarGzOf([serverJs, { path: 'pipe', type: 'FIFO' }]),
      422,
      'artifact_invalid',
      'special_file',
    ],
    [
      'more entries than maxEntries',
      () => tarGzOf(many),
      422,
      'artifact_invalid',
      'too_many_entries',
    ],
    [
      'more than maxUnpackedSize',
      () => zeroBomb(2),
      422,
      'artifact_invalid',
      'unpacked_size_exceeded',
    ],
    ['a body over maxUploadSize', () => Buffer.alloc(80 * 1024, 7), 413, 'artifact_too_large', ''],
  ])('refuses %s and stores nothing', async (_what, build, status, code, reason) => {
    const answer = await put(tight, '/api/v1/artifacts/hello/v1', build());
    expect(answer.status).toBe(status);
    expect(answer.error.code).toBe(code);
    if (reason) expect(answer.error.reason).toBe(reason);
    expect(filesUnder(tight.dataDir)).toEqual([]);
    expect(await tight.get('/api/v1/artifacts/hello')).toEqual({ artifacts: [] });
  });

  it('refuses a 2 MB gzip bomb by its ratio, without the server swelling', async () => {
    const bomb = zeroBomb(2048);
    expect(bomb.length).toBeLessThan(3 * 1024 * 1024);
    const answer = await put(defaults, '/api/v1/artifacts/hello/bomb', bomb);
    expect(answer).toMatchObject({
      status: 422,
      error: { code: 'artifact_invalid', reason: 'ratio_exceeded' },
    });
    expect(answer.error.message).toContain('artifacts.maxRatio');
    expect(filesUnder(defaults.dataDir)).toEqual([]);
    // A Node server idles near 120 MB; unpacking this bomb in memory took it to 2.27 GB.
    expect(serverPeakKb(defaults)).toBeLessThan(600 * 1024);
  });

  it('refuses a version already bound to other bytes with 409 and keeps no blob of them', async () => {
    const first = await packDirectory(helloVersion({ version: 'v7' }));
    const other = await packDirectory(helloVersion({ version: 'v7-other' }));
    expect((await put(defaults, '/api/v1/artifacts/hello/v7', first)).status).toBe(201);
    const before = filesUnder(defaults.dataDir);
    expect(before).toHaveLength(1);
    const answer = await put(defaults, '/api/v1/artifacts/hello/v7', other);
    expect(answer).toMatchObject({ status: 409, error: { code: 'version_immutable' } });
    expect(filesUnder(defaults.dataDir)).toEqual(before);
    expect((await put(defaults, '/api/v1/artifacts/hello/v7', first)).status).toBe(200);
  });

  it('refuses an unknown service or environment before reading the body', async () => {
    const before = filesUnder(defaults.dataDir);
    // Headers announce a megabyte that never comes: only an answer that does not wait for the
    // body arrives.
    const early = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${defaults.url}${path}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/gzip', 'content-length': 1024 * 1024 },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        req.on('error', reject);
        req.write(Buffer.alloc(1024));
      });
    const service = await early('/api/v1/artifacts/nope/v1');
    expect(service.status).toBe(404);
    expect(JSON.parse(service.body)).toMatchObject({
      error: { code: 'not_found', kind: 'service', name: 'nope' },
    });
    const environment = await early('/api/v1/artifacts/hello/v1?environment=staging');
    expect(environment.status).toBe(404);
    expect(JSON.parse(environment.body)).toMatchObject({
      error: { code: 'not_found', kind: 'environment', name: 'staging' },
    });
    expect(filesUnder(defaults.dataDir)).toEqual(before);
  });

  it('stores a well-formed upload', async () => {
    const bytes = await packDirectory(helloVersion({ version: 'v1' }));
    const answer = await put(tight, '/api/v1/artifacts/hello/v1?environment=prod', bytes);
    expect(answer.status).toBe(201);
    expect(filesUnder(tight.dataDir)).toHaveLength(1);
  });
});
