import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { c as createTar } from 'tar';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseFolderName, ReleaseStore } from './release-store.js';
import { buildHelloArtifact, makeTempDir, type BuiltArtifact } from './test-fixtures.js';

let root: string;
let hello: BuiltArtifact;

beforeAll(async () => {
  root = await makeTempDir();
  hello = await buildHelloArtifact(root, { version: '1.0.0' });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('releaseFolderName', () => {
  it('takes the first 16 hex digits of a digest, or of a folder name', () => {
    expect(releaseFolderName(`sha256:${'AB'.repeat(32)}`)).toBe('ab'.repeat(8));
    expect(releaseFolderName('0123456789abcdef')).toBe('0123456789abcdef');
  });

  it('rejects what is not a hex digest (it would name a folder)', () => {
    expect(() => releaseFolderName('sha256:../../etc')).toThrow(/not a hex digest/);
  });
});

describe('ReleaseStore', () => {
  it('unpacks once into releases/<service>/<env>/<hex16>, also when asked concurrently', async () => {
    const dataDir = join(root, 'concurrent');
    // Two stores stand for two server processes sharing the data folder.
    const stores = [new ReleaseStore(dataDir), new ReleaseStore(dataDir)];
    const paths = await Promise.all(
      [...stores, ...stores].map((store) => store.ensure('web', 'dev', hello.digest, hello.path)),
    );

    const expected = join(dataDir, 'releases', 'web', 'dev', hello.digest.slice(7, 23));
    expect(new Set(paths)).toEqual(new Set([expected]));
    expect((await readdir(expected)).sort()).toEqual(['hello.json', 'package.json', 'server.js']);
    // No temporary folder is left behind.
    expect(await readdir(join(dataDir, 'releases', 'web', 'dev'))).toEqual([
      hello.digest.slice(7, 23),
    ]);
  });

  it('keeps releases/ passable for instance users (0711), its manifests private (0700)', async () => {
    const dataDir = join(root, 'modes');
    await new ReleaseStore(dataDir).ensure('web', 'dev', hello.digest, hello.path);
    expect((await stat(join(dataDir, 'releases'))).mode & 0o777).toBe(0o711);
    expect((await stat(join(dataDir, 'releases', '.manifests'))).mode & 0o777).toBe(0o700);
  });

  it('leaves no trace when the artifact cannot be unpacked', async () => {
    const dataDir = join(root, 'broken');
    const store = new ReleaseStore(dataDir);
    const digest = `sha256:${'0'.repeat(64)}`;
    await expect(store.ensure('web', 'dev', digest, join(root, 'missing.tgz'))).rejects.toThrow(
      `artifact ${digest} is missing`,
    );
    expect(existsSync(join(dataDir, 'releases', 'web', 'dev'))).toBe(false);
  });

  it('refuses to unpack a blob whose bytes changed since upload, naming the digest', async () => {
    const dataDir = join(root, 'tampered-blob');
    const store = new ReleaseStore(dataDir);
    const copy = join(root, 'tampered.tgz');
    const bytes = await readFile(hello.path);
    await writeFile(copy, Buffer.concat([bytes, Buffer.from('extra')]));
    const failure = await store.ensure('web', 'dev', hello.digest, copy).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'artifact_corrupt', extra: { digest: hello.digest } });
    expect(String(failure)).toContain(`artifact ${hello.digest} was changed after upload`);
    expect(existsSync(store.path('web', 'dev', hello.digest))).toBe(false);
  });

  it('checks the release against its manifest on every start', async () => {
    const dataDir = join(root, 'tampered-release');
    const store = new ReleaseStore(dataDir);
    const dir = await store.ensure('web', 'dev', hello.digest, hello.path);
    const server = join(dir, 'server.js');
    const original = await readFile(server);
    const refusal = async () => {
      const error = await store.ensure('web', 'dev', hello.digest, hello.path).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error, 'a changed release must be refused').toBeDefined();
      expect(error).toMatchObject({ code: 'artifact_corrupt' });
      expect(error?.message).toContain(`release of artifact ${hello.digest}`);
      return error?.message;
    };

    await writeFile(server, 'require("child_process").exec("curl evil")\n');
    expect(await refusal()).toContain('(changed server.js)');
    await writeFile(
      server,
      Buffer.concat([original.subarray(0, 10), Buffer.from('X'), original.subarray(11)]),
    );
    expect(await refusal()).toContain('(changed server.js)');
    await rm(server);
    expect(await refusal()).toContain('(missing server.js)');
    await symlink('/etc/passwd', server);
    expect(await refusal()).toContain('(replaced server.js)');
    await rm(server);

    await writeFile(server, original);
    await writeFile(join(dir, 'cache.pyc'), 'written by the program itself');
    await expect(store.ensure('web', 'dev', hello.digest, hello.path)).resolves.toBe(dir);
  });

  it('keeps the manifest outside the release, private, and remakes it from the blob', async () => {
    const dataDir = join(root, 'manifest');
    const store = new ReleaseStore(dataDir);
    const dir = await store.ensure('web', 'dev', hello.digest, hello.path);
    const manifest = join(dataDir, 'releases', '.manifests', `${hello.digest.slice(7)}.json`);
    expect((await stat(manifest)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(manifest, 'utf8'))).toMatchObject({
      digest: hello.digest,
      entries: [
        { path: 'hello.json', kind: 'file' },
        { path: 'package.json', kind: 'file' },
        { path: 'server.js', kind: 'file' },
      ],
    });

    // Losing the manifest does not lose the check: it is made again from the verified blob.
    await rm(manifest);
    await writeFile(join(dir, 'hello.json'), '{"version":"evil"}');
    await expect(store.ensure('web', 'dev', hello.digest, hello.path)).rejects.toThrow(
      '(changed hello.json)',
    );
    expect(existsSync(manifest)).toBe(true);
  });

  it('prunes all but the kept releases, and only stale temporary folders', async () => {
    const dataDir = join(root, 'prune');
    const store = new ReleaseStore(dataDir);
    const other = await buildHelloArtifact(root, { version: '2.0.0' }, 'other');
    await store.ensure('web', 'dev', hello.digest, hello.path);
    await store.ensure('web', 'dev', other.digest, other.path);
    await store.ensure('web', 'prod', other.digest, other.path);
    const dir = join(dataDir, 'releases', 'web', 'dev');
    await mkdir(join(dir, '.tmp-fresh'));
    await mkdir(join(dir, '.tmp-stale'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, '.tmp-stale'), hourAgo, hourAgo);

    const removed = await store.prune('web', 'dev', [hello.digest]);

    expect(removed).toEqual([other.digest.slice(7, 23)]);
    expect((await readdir(dir)).sort()).toEqual(['.tmp-fresh', hello.digest.slice(7, 23)]);
    expect(existsSync(store.path('web', 'prod', other.digest))).toBe(true);
    expect(await store.prune('api', 'dev', [])).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'drops setuid and setgid bits and the owners written in the archive',
    async () => {
      const staging = join(root, 'privileged');
      await mkdir(staging);
      const tool = join(staging, 'tool');
      await writeFile(tool, '#!/bin/sh\n');
      await chmod(tool, 0o6755);
      await chown(tool, 1234, 1234);
      const artifact = join(root, 'privileged.tgz');
      await createTar({ gzip: true, cwd: staging, file: artifact }, ['tool']);
      const digest = `sha256:${createHash('sha256')
        .update(await readFile(artifact))
        .digest('hex')}`;

      const dir = await new ReleaseStore(join(root, 'setuid')).ensure(
        'web',
        'dev',
        digest,
        artifact,
      );

      const info = await stat(join(dir, 'tool'));
      expect((info.mode & 0o7777).toString(8)).toBe('755');
      expect([info.uid, info.gid]).toEqual([0, 0]);
    },
  );

  it('refuses names that would leave the data folder', () => {
    const store = new ReleaseStore(join(root, 'names'));
    expect(() => store.path('..', 'dev', hello.digest)).toThrow(/folder name/);
    expect(() => store.path('web', 'a/b', hello.digest)).toThrow(/folder name/);
  });
});
