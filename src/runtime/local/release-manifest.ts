import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readFile, readlink, rename, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { FerryError } from '../../errors/ferry-error.js';
import {
  inspectTarball,
  noContentLimits,
  type ContentEntry,
} from '../../features/artifacts/inspect-tarball.js';
import { blobChanged, blobMissing, verifyBlob } from '../../features/artifacts/verify-blob.js';
import { mapInOrder } from '../../shared/map-in-order.js';
import { isErrno } from './errno.js';

/** What unpacking an artifact must produce, path by path. */
export interface ReleaseManifest {
  readonly digest: string;
  readonly entries: readonly ContentEntry[];
}

/** Listed differences beyond this many are counted, not named. */
const namedChanges = 5;

/**
 * The per-file sha256 of each artifact's release, kept outside every release folder in
 * `<dataDir>/releases/.manifests/<hex>.json` (mode 0600), so an instance that can write to its
 * release cannot rewrite the record it is checked against. A manifest is derived from the
 * artifact's blob while its digest is verified, so it is only ever the artifact's own content.
 */
export class ReleaseManifests {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'releases', '.manifests');
  }

  /** The stored manifest of the digest, or one made now from the (verified) blob. */
  async load(digest: string, artifactPath: string): Promise<ReleaseManifest> {
    const stored = await this.read(digest);
    if (stored) return stored;
    const manifest = await manifestOfBlob(digest, artifactPath);
    // The releases folder itself must stay passable for instance users (0711); only the
    // manifests' folder is private. `mkdir -p` with one mode would make both 0700.
    await mkdir(dirname(this.dir), { recursive: true, mode: 0o711 });
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `.tmp-${randomBytes(6).toString('hex')}`);
    await writeFile(temp, JSON.stringify(manifest), { mode: 0o600 });
    await rename(temp, this.pathOf(digest));
    return manifest;
  }

  /**
   * Refuses (`artifact_corrupt`, naming the digest) a release folder in which a file of the
   * artifact was changed, removed or replaced. Files the release gained are left alone: programs
   * write caches (`__pycache__`) next to their code.
   */
  async verify(releaseDir: string, manifest: ReleaseManifest): Promise<void> {
    const changes = await changesOf(releaseDir, manifest.entries);
    if (changes.length === 0) return;
    const named = changes.slice(0, namedChanges).join(', ');
    const more = changes.length > namedChanges ? ` and ${changes.length - namedChanges} more` : '';
    throw new FerryError(
      'artifact_corrupt',
      `the release of artifact ${manifest.digest} in ${releaseDir} was changed after it was ` +
        `unpacked (${named}${more}); refusing to start it. Remove that folder to unpack it ` +
        `again from the artifact`,
      { extra: { digest: manifest.digest, releaseDir, changes } },
    );
  }

  private pathOf(digest: string): string {
    return join(this.dir, `${digest.slice(digest.indexOf(':') + 1)}.json`);
  }

  private async read(digest: string): Promise<ReleaseManifest | undefined> {
    try {
      const manifest = JSON.parse(await readFile(this.pathOf(digest), 'utf8')) as ReleaseManifest;
      return manifest.digest === digest && Array.isArray(manifest.entries) ? manifest : undefined;
    } catch (error) {
      if (isErrno(error, 'ENOENT') || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }
}

/** The blob's digest first (a changed blob is reported as such), then what it holds. */
async function manifestOfBlob(digest: string, artifactPath: string): Promise<ReleaseManifest> {
  await verifyBlob(artifactPath, digest);
  try {
    const contents = await inspectTarball(createReadStream(artifactPath), noContentLimits);
    if (contents.digest !== digest) throw blobChanged(digest, contents.digest);
    return { digest, entries: contents.entries };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) throw blobMissing(digest, artifactPath);
    throw error;
  }
}

/** Files checked at once: enough to keep libuv's 4 threads and the disk busy. */
const checksInFlight = 16;
/** Files up to this size are hashed from one read rather than a stream. */
const wholeReadBytes = 1 << 20;

/** `changed server.js`, `missing lib/a.js`, ... in manifest order. */
async function changesOf(root: string, entries: readonly ContentEntry[]): Promise<string[]> {
  const realDirs = new Set<string>(['.']);
  const changes = await mapInOrder(entries, checksInFlight, async (entry) => {
    const parent = await firstNonDirectory(root, posix.dirname(entry.path), realDirs);
    if (parent !== undefined) return `replaced ${parent}`;
    const change = await changeOf(join(root, entry.path), entry);
    return change ? `${change} ${entry.path}` : undefined;
  });
  return [...new Set(changes.filter((change) => change !== undefined))];
}

/** The first ancestor (from the top) that is not a real folder any more, e.g. now a symlink. */
async function firstNonDirectory(
  root: string,
  dir: string,
  realDirs: Set<string>,
): Promise<string | undefined> {
  if (realDirs.has(dir)) return undefined;
  const above = await firstNonDirectory(root, posix.dirname(dir), realDirs);
  if (above !== undefined) return above;
  const stat = await lstat(join(root, dir)).catch(() => undefined);
  if (!stat?.isDirectory()) return dir;
  realDirs.add(dir);
  return undefined;
}

async function changeOf(path: string, entry: ContentEntry): Promise<string | undefined> {
  const stat = await lstat(path).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw error;
  });
  if (!stat) return 'missing';
  switch (entry.kind) {
    case 'directory':
      return stat.isDirectory() ? undefined : 'replaced';
    case 'symlink':
      if (!stat.isSymbolicLink()) return 'replaced';
      return (await readlink(path)) === entry.target ? undefined : 'changed';
    case 'file':
      if (!stat.isFile()) return 'replaced';
      if (stat.size !== entry.size) return 'changed';
      return (await sha256Of(path, stat.size)) === entry.sha256 ? undefined : 'changed';
  }
}

async function sha256Of(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  if (size <= wholeReadBytes) return hash.update(await readFile(path)).digest('hex');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
