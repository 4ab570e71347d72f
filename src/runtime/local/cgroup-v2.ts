import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { isErrno } from './errno.js';

/**
 * Where this runtime's cgroups live: `<the server's own cgroup>/ferry-<runtime key>/`, one child
 * cgroup per instance. Under the server's own cgroup so that a delegated subtree (systemd
 * `Delegate=yes`, a container's namespace) is all it needs.
 */
export interface CgroupBase {
  /** Folder of `ferry-<key>` in the cgroup2 file system. */
  readonly path: string;
}

/**
 * Finds a writable cgroup v2 hierarchy for the runtime's base cgroup. Undefined when there is
 * none (cgroup v1 only, a read-only /sys/fs/cgroup in a container, not root): the runtime then
 * tracks descendants through /proc instead. The base is made (and probed) here but left only
 * once an instance is in it, so a runtime that starts nothing leaves nothing behind.
 */
export function openCgroupBase(key: string): CgroupBase | undefined {
  const own = ownCgroupDir();
  if (own === undefined) return undefined;
  const path = join(own, `ferry-${key}`);
  try {
    accessSync(join(own, 'cgroup.procs'), constants.W_OK);
    const existed = existsSync(path);
    mkdirSync(path, { recursive: true });
    accessSync(join(path, 'cgroup.procs'), constants.W_OK);
    if (!existed) rmdirSync(path);
    return { path };
  } catch {
    return undefined;
  }
}

/** The base cgroup of a runtime if it exists already (a sweep never creates one). */
export function findCgroupBase(key: string): CgroupBase | undefined {
  const own = ownCgroupDir();
  const path = own === undefined ? undefined : join(own, `ferry-${key}`);
  return path !== undefined && existsSync(join(path, 'cgroup.procs')) ? { path } : undefined;
}

/** Removes the base cgroup if no instance cgroup is left in it; true if it is gone. */
export function removeCgroupBase(base: CgroupBase): boolean {
  try {
    rmdirSync(base.path);
    return true;
  } catch (error) {
    return isErrno(error, 'ENOENT');
  }
}

/** Names of the instance cgroups under the base. */
export function listInstanceCgroups(base: CgroupBase): string[] {
  try {
    return readdirSync(base.path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * The cgroup of one instance: everything the instance starts is born in it (a cgroup cannot be
 * left by `setsid` or a double fork), and one write to `cgroup.kill` ends all of it.
 */
export class InstanceCgroup {
  readonly path: string;

  constructor(base: CgroupBase, instanceId: string) {
    this.path = join(base.path, instanceId);
  }

  /**
   * Runs `spawn` (a synchronous `child_process.spawn`) with the server itself moved into the
   * instance's cgroup, so the child is forked inside it: no window in which it could start a
   * process outside. The server moves back before this returns.
   */
  runInside<T>(spawn: () => T): T {
    const home = ownCgroupDir();
    if (home === undefined) throw new Error('the server is in no cgroup v2');
    try {
      mkdirSync(this.path, { recursive: true });
      writeFileSync(join(this.path, 'cgroup.procs'), String(process.pid));
    } catch {
      // Not movable after all: the child starts outside, found by its marker and descendants.
      return spawn();
    }
    try {
      return spawn();
    } finally {
      writeFileSync(join(home, 'cgroup.procs'), String(process.pid));
    }
  }

  /** Pids in the cgroup and any cgroup the instance made below it; none when it is gone. */
  pids(): number[] {
    return readPids(this.path).filter((pid) => pid !== process.pid);
  }

  /** SIGKILLs every process in the cgroup (cgroup.kill, or freeze-kill-thaw before Linux 5.14). */
  kill(): void {
    if (!existsSync(this.path)) return;
    const killFile = join(this.path, 'cgroup.kill');
    if (existsSync(killFile)) {
      try {
        writeFileSync(killFile, '1');
      } catch {
        // Removed meanwhile: nothing left to kill.
      }
      return;
    }
    const freeze = join(this.path, 'cgroup.freeze');
    try {
      writeFileSync(freeze, '1');
    } catch {
      // Not freezable: kill what is there; the caller waits and kills again.
    }
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    try {
      writeFileSync(freeze, '0');
    } catch {
      // As above.
    }
  }

  /** Removes the (empty) cgroup and any below it; false while a process is still in it. */
  remove(): boolean {
    return removeTree(this.path);
  }
}

function readPids(dir: string): number[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'cgroup.procs'), 'utf8');
  } catch {
    return [];
  }
  const pids = text
    .split('\n')
    .filter((line) => line !== '')
    .map(Number);
  for (const child of subgroups(dir)) pids.push(...readPids(join(dir, child)));
  return pids;
}

function subgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function removeTree(dir: string): boolean {
  for (const child of subgroups(dir)) removeTree(join(dir, child));
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return isErrno(error, 'ENOENT');
  }
}

/** The folder of this process's own cgroup v2, from /proc/self/cgroup and /proc/self/mountinfo. */
function ownCgroupDir(): string | undefined {
  let cgroup: string | undefined;
  let mount: { root: string; point: string } | undefined;
  try {
    cgroup = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('0::'))
      ?.slice(3);
    mount = cgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return undefined;
  }
  if (cgroup === undefined || mount === undefined) return undefined;
  const inside = relative(mount.root, cgroup);
  if (inside.startsWith('..')) return undefined;
  return join(mount.point, inside);
}

/**
 * The first cgroup2 mount of a mountinfo text: its root inside the hierarchy and where it is
 * mounted. (`/sys/fs/cgroup` on a unified host, `/sys/fs/cgroup/unified` on a hybrid one.)
 */
export function cgroup2Mount(mountinfo: string): { root: string; point: string } | undefined {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (after?.split(' ')[0] !== 'cgroup2') continue;
    const fields = before?.split(' ') ?? [];
    const root = fields[3];
    const point = fields[4];
    if (root !== undefined && point !== undefined) return { root, point: unescape(point) };
  }
  return undefined;
}

/** mountinfo escapes spaces and a few other characters as `\040` octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}
