import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { x as extract } from 'tar';
import { InvalidRequestError } from '../../errors/ferry-error.js';
import { verifyBlob } from '../../features/artifacts/verify-blob.js';
import { isErrno } from './errno.js';
import { ReleaseManifests } from './release-manifest.js';

/** Unfinished unpack folders older than this are left-overs of a crash and may be removed. */
const staleTempMs = 10 * 60_000;
const tempPrefix = '.tmp-';

/**
 * The unpacked artifacts of each service and environment:
 * `releases/<service>/<environment>/<first 16 hex digits of the digest>/`. A release is unpacked
 * once and shared by all instances of it. Unpacking goes to a temporary folder that is renamed
 * into place, so a half-written release is never seen, even by another server process.
 */
export class ReleaseStore {
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly manifests: ReleaseManifests;

  constructor(private readonly dataDir: string) {
    this.manifests = new ReleaseManifests(dataDir);
  }

  /** Folder of a release; it exists once `ensure` resolved. */
  path(service: string, environment: string, digest: string): string {
    return join(this.environmentDir(service, environment), releaseFolderName(digest));
  }

  /**
   * Unpacks the artifact unless already unpacked, and checks the release against the artifact's
   * manifest; resolves to the release folder. Refuses (`artifact_corrupt`, `artifact_missing`) a
   * blob or release that is no longer the artifact's content.
   */
  ensure(
    service: string,
    environment: string,
    digest: string,
    artifactPath: string,
  ): Promise<string> {
    const target = this.path(service, environment, digest);
    let pending = this.inFlight.get(target);
    if (!pending) {
      pending = this.prepare(target, digest, artifactPath).finally(() =>
        this.inFlight.delete(target),
      );
      this.inFlight.set(target, pending);
    }
    return pending;
  }

  /**
   * Refuses (`artifact_corrupt`) the release of the digest if it is unpacked and no longer
   * matches the artifact's manifest; a deploy or rollback asks before it starts anything.
   */
  async verify(
    service: string,
    environment: string,
    digest: string,
    artifactPath: string,
  ): Promise<void> {
    const target = this.path(service, environment, digest);
    if (!(await exists(target))) return;
    await this.manifests.verify(target, await this.manifests.load(digest, artifactPath));
  }

  /**
   * Removes every release of the service and environment except those whose digest is in
   * `keep` (full `sha256:` digests or their folder names). Which ones to keep is the caller's
   * decision. Resolves to the removed folder names.
   */
  async prune(service: string, environment: string, keep: readonly string[]): Promise<string[]> {
    const dir = this.environmentDir(service, environment);
    const kept = new Set(keep.map(releaseFolderName));
    const removed: string[] = [];
    for (const entry of await readdirOrEmpty(dir)) {
      const full = join(dir, entry);
      if (entry.startsWith(tempPrefix)) {
        // Someone may be unpacking right now: only left-overs of a crash go.
        const mtimeMs = await modifiedAt(full);
        if (Date.now() - mtimeMs > staleTempMs) await rm(full, { recursive: true, force: true });
        continue;
      }
      if (kept.has(entry)) continue;
      await rm(full, { recursive: true, force: true });
      removed.push(entry);
    }
    return removed;
  }

  private environmentDir(service: string, environment: string): string {
    return join(this.dataDir, 'releases', safeSegment(service), safeSegment(environment));
  }

  /**
   * Unpacks only a blob that still hashes to its digest, and hands out a release only while it
   * matches the artifact's manifest: checked on every start, so a release changed after
   * unpacking never runs.
   */
  private async prepare(target: string, digest: string, artifactPath: string): Promise<string> {
    const manifest = await this.manifests.load(digest, artifactPath);
    if (!(await exists(target))) {
      await verifyBlob(artifactPath, digest);
      await this.unpack(target, artifactPath);
    }
    await this.manifests.verify(target, manifest);
    return target;
  }

  private async unpack(target: string, artifactPath: string): Promise<string> {
    if (await exists(target)) return target;
    const dir = join(target, '..');
    // Search-only for others: instances reach their release (group-readable) but list nothing.
    await mkdir(dir, { recursive: true, mode: 0o711 });
    const temp = join(dir, `${tempPrefix}${randomBytes(6).toString('hex')}`);
    await mkdir(temp);
    try {
      await extract({
        file: artifactPath,
        cwd: temp,
        strict: true,
        // Never the archive's owners (tar keeps them for root by default), never setuid, setgid
        // or sticky bits: who may read a release is decided by the runtime, not by the upload.
        preserveOwner: false,
        onReadEntry: (entry) => {
          if (entry.mode !== undefined) entry.mode &= 0o777;
        },
      });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      // Another process renamed its copy into place first: same digest, same content.
      if (isErrno(error, 'ENOTEMPTY', 'EEXIST') && (await exists(target))) return target;
      throw error;
    }
    return target;
  }
}

/**
 * `sha256:0123456789abcdef...` → `0123456789abcdef`. A name without an algorithm prefix is
 * taken as hex already (so folder names work as well as digests).
 */
export function releaseFolderName(digest: string): string {
  const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
  if (!/^[0-9a-f]{16,}$/i.test(hex)) {
    throw new InvalidRequestError(`artifact digest "${digest}" is not a hex digest`, [
      { path: 'artifactDigest', message: 'expected sha256:<hex>' },
    ]);
  }
  return hex.slice(0, 16).toLowerCase();
}

function safeSegment(name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new InvalidRequestError(`"${name}" cannot be used as a folder name`);
  }
  return name;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
}

/** Modification time, or now when the folder just went away (renamed into place). */
async function modifiedAt(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return Date.now();
    throw error;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
}
