import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultArtifactLimits } from './artifact-limits.js';
import { inspectTarball } from './inspect-tarball.js';
import type { ArtifactRejection } from './invalid-artifact-error.js';
import { packDirectory } from './pack-directory.js';
import { serverJs, tarGzOf, tarOf, zeroBomb } from './test-tarballs.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function reasonOf(bytes: Buffer, limits = defaultArtifactLimits) {
  const error = await inspectTarball(bytes, limits).then(
    () => undefined,
    (e: unknown) => e as { code?: string; reason?: ArtifactRejection; message: string },
  );
  expect(error?.code, error?.message).toBe('artifact_invalid');
  return error?.reason;
}

describe('inspectTarball', () => {
  it('lists every file with its sha256, folders and symlinks that stay inside', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-inspect-'));
    try {
      await mkdir(join(dir, 'lib'));
      await writeFile(join(dir, 'server.js'), 'require("./lib/a")\n');
      await writeFile(join(dir, 'lib', 'a.js'), 'module.exports = 1\n');
      await symlink('lib/a.js', join(dir, 'alias.js'));
      const contents = await inspectTarball(await packDirectory(dir), defaultArtifactLimits);
      expect(contents.entries).toEqual([
        { path: 'alias.js', kind: 'symlink', target: 'lib/a.js' },
        { path: 'lib/a.js', kind: 'file', size: 19, sha256: sha256('module.exports = 1\n') },
        { path: 'server.js', kind: 'file', size: 19, sha256: sha256('require("./lib/a")\n') },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes a hardlink to an earlier file as a copy of it', async () => {
    const contents = await inspectTarball(
      tarGzOf([serverJs, { path: 'copy.js', type: 'Link', linkpath: 'server.js' }]),
      defaultArtifactLimits,
    );
    expect(contents.entries.map((e) => [e.path, e.kind])).toEqual([
      ['copy.js', 'file'],
      ['server.js', 'file'],
    ]);
  });

  it.each<[string, () => Buffer, ArtifactRejection]>([
    ['no bytes', () => Buffer.alloc(0), 'empty'],
    ['an archive without entries', () => tarGzOf([]), 'empty'],
    ['an archive of folders only', () => tarGzOf([{ path: 'lib/', type: 'Directory' }]), 'empty'],
    [
      'bytes that are not gzip',
      () => Buffer.from('PK\x03\x04 a zip file, not gzip'),
      'corrupt_gzip',
    ],
    [
      'gzip with a broken checksum',
      () => {
        const bytes = Buffer.from(tarGzOf([serverJs]));
        bytes[bytes.length - 6] = (bytes[bytes.length - 6] ?? 0) ^ 0xff;
        return bytes;
      },
      'corrupt_gzip',
    ],
    [
      'gzip cut short',
      () => {
        const bytes = tarGzOf([serverJs, { path: 'big.js', body: 'x'.repeat(50_000) }]);
        return bytes.subarray(0, bytes.length - 40);
      },
      'truncated',
    ],
    [
      'a tar cut inside a file',
      () => gzipSync(tarOf([{ path: 'a.js', body: 'y'.repeat(4096) }]).subarray(0, 2048)),
      'truncated',
    ],
    [
      'a tar without its end marker',
      () => gzipSync(tarOf([serverJs], { end: false })),
      'truncated',
    ],
    ['gzip of text that is not tar', () => gzipSync('hello world '.repeat(100)), 'corrupt_tar'],
    ['a path with ..', () => tarGzOf([serverJs, { path: '../evil.js', body: 'x' }]), 'unsafe_path'],
    [
      'a .. in the middle',
      () => tarGzOf([serverJs, { path: 'lib/../../evil.js', body: 'x' }]),
      'unsafe_path',
    ],
    [
      'an absolute path',
      () => tarGzOf([serverJs, { path: '/etc/cron.d/x', body: 'x' }]),
      'unsafe_path',
    ],
    [
      'a symlink to /etc/passwd',
      () => tarGzOf([serverJs, { path: 'passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' }]),
      'link_outside',
    ],
    [
      'a symlink climbing out',
      () => tarGzOf([serverJs, { path: 'lib/up', type: 'SymbolicLink', linkpath: '../../../etc' }]),
      'link_outside',
    ],
    [
      'a file written through a symlink',
      () =>
        tarGzOf([
          serverJs,
          { path: 'lib', type: 'SymbolicLink', linkpath: '.' },
          { path: 'lib/x.js', body: 'x' },
        ]),
      'unsafe_path',
    ],
    [
      'a hardlink to /etc/shadow',
      () => tarGzOf([serverJs, { path: 'shadow', type: 'Link', linkpath: '/etc/shadow' }]),
      'link_outside',
    ],
    [
      'a hardlink climbing out',
      () => tarGzOf([serverJs, { path: 'shadow', type: 'Link', linkpath: '../../etc/shadow' }]),
      'link_outside',
    ],
    [
      'a character device',
      () => tarGzOf([serverJs, { path: 'mem', type: 'CharacterDevice', devmaj: 1, devmin: 1 }]),
      'special_file',
    ],
    [
      'a block device',
      () => tarGzOf([serverJs, { path: 'sda', type: 'BlockDevice', devmaj: 8, devmin: 0 }]),
      'special_file',
    ],
    ['a fifo', () => tarGzOf([serverJs, { path: 'pipe', type: 'FIFO' }]), 'special_file'],
  ])('refuses %s', async (_what, build, reason) => {
    expect(await reasonOf(build())).toBe(reason);
  });

  it('refuses more entries than maxEntries', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}.js`, body: 'x' }));
    const limits = { ...defaultArtifactLimits, maxEntries: 4 };
    expect(await reasonOf(tarGzOf(entries), limits)).toBe('too_many_entries');
    await expect(inspectTarball(tarGzOf(entries.slice(0, 4)), limits)).resolves.toBeDefined();
  });

  it('hashes every file right however the bytes arrive, across pieces not on tar blocks', async () => {
    const files = [3_000_001, 1_500_000, 700].map((size, i) => ({
      path: `part-${i}.bin`,
      body: randomBytes(size),
    }));
    const archive = tarGzOf([...files, serverJs]);
    // 64 KiB and odd-sized pieces, as a socket delivers them.
    const pieces = async function* () {
      for (let at = 0, size = 65_536; at < archive.length; at += size, size = 65_537 - (size % 7))
        yield archive.subarray(at, at + size);
    };
    const whole = await inspectTarball(archive, defaultArtifactLimits);
    const streamed = await inspectTarball(pieces(), defaultArtifactLimits);
    const expected = files.map(({ path, body }) => ({
      path,
      kind: 'file',
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    }));
    expect(whole.entries.filter((e) => e.path !== 'server.js')).toEqual(expected);
    expect(streamed).toEqual(whole);
  });

  it('stops a gzip bomb at maxUnpackedSize, and at maxRatio past the first 16 MiB', async () => {
    const bomb = zeroBomb(64);
    const small = { ...defaultArtifactLimits, maxUnpackedSize: 1024 * 1024 };
    expect(await reasonOf(bomb, small)).toBe('unpacked_size_exceeded');
    expect(await reasonOf(bomb, defaultArtifactLimits)).toBe('ratio_exceeded');
    const lenient = { ...defaultArtifactLimits, maxRatio: 2000 };
    await expect(inspectTarball(bomb, lenient)).resolves.toMatchObject({
      unpackedBytes: 64 * 1024 * 1024 + 1536,
    });
  });

  it('inflates a 2 GiB bomb no further than the limits, in bounded memory', async () => {
    const bomb = zeroBomb(2048);
    expect(bomb.length).toBeLessThan(3 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    expect(await reasonOf(bomb)).toBe('ratio_exceeded');
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });
});
