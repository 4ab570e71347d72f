import { statSync } from 'node:fs';
import { chmod, lchown, lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FerryError } from '../../errors/ferry-error.js';
import type { InstanceUser } from './instance-user.js';

/** Owner and group a release folder gets: the server owns it, the instance's group reads it. */
export interface ReleaseOwner {
  readonly uid: number;
  readonly gid: number;
}

const dirMode = 0o750;
const fileMode = 0o640;
const executableMode = 0o750;

/**
 * Makes a release readable (never writable) by the group of the user its instances run as, and
 * by nobody else: owner = the server, group = `owner.gid`, directories 0750, files 0640 (0750
 * when the archive marked them executable). Setuid, setgid and sticky bits are gone. The release
 * folder itself is done last, so its owner and mode say the whole tree is done; a later call
 * with the same owner costs one stat.
 */
export async function grantReleaseAccess(releaseDir: string, owner: ReleaseOwner): Promise<void> {
  const root = await stat(releaseDir);
  if (root.uid === owner.uid && root.gid === owner.gid && (root.mode & 0o7777) === dirMode) return;
  for (const entry of await readdir(releaseDir)) await grant(join(releaseDir, entry), owner);
  await lchown(releaseDir, owner.uid, owner.gid);
  await chmod(releaseDir, dirMode);
}

async function grant(path: string, owner: ReleaseOwner): Promise<void> {
  const info = await lstat(path);
  await lchown(path, owner.uid, owner.gid);
  if (info.isSymbolicLink()) return; // a link's own mode means nothing
  if (info.isDirectory()) {
    for (const entry of await readdir(path)) await grant(join(path, entry), owner);
    await chmod(path, dirMode);
    return;
  }
  // chown has cleared setuid/setgid already; the explicit mode makes sure.
  await chmod(path, (info.mode & 0o111) !== 0 ? executableMode : fileMode);
}

/**
 * Throws a FerryError naming the first folder on the way to `path` that `user` may not pass
 * (no search permission for it as owner, group or other), so a deploy fails with what to fix
 * rather than with the instance's EACCES in its log. Supplementary groups are not counted:
 * instances run without them.
 */
export function assertReachable(path: string, user: InstanceUser): void {
  if (user.uid === 0) return;
  const folders: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    folders.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const folder of folders) {
    const info = statSync(folder);
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
    if ((info.mode & bit) !== 0) continue;
    const mode = (info.mode & 0o7777).toString(8).padStart(4, '0');
    throw new FerryError(
      'invalid_config',
      `instances run as ${user.name} (uid ${user.uid}), who cannot reach ${folder} ` +
        `(mode ${mode}, owner uid ${info.uid}, gid ${info.gid}): allow it through with ` +
        `\`chmod o+x ${folder}\` (search only, no listing), or set runtime.local.user`,
      { extra: { path: folder, user: user.name } },
    );
  }
}
