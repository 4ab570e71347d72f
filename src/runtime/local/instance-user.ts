import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { FerryError } from '../../errors/ferry-error.js';

/** A user instances run as, as the system knows it. */
export interface InstanceUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** The user instances of a root server run as when `runtime.local.user` is not set. */
export const defaultRootInstanceUser = 'nobody';

/**
 * Who an instance runs as. A root server never runs instances as root unless `configured` says
 * `root`: unset means `nobody`. A server that is not root runs them as itself (undefined: no
 * switch), and refuses any other user, which it could not become.
 */
export function instanceUser(
  configured: string | undefined,
  lookup: (name: string) => InstanceUser = lookupUser,
): InstanceUser | undefined {
  const serverUid = process.getuid?.();
  if (serverUid === undefined) return undefined; // not POSIX: no users to switch between
  if (serverUid !== 0) {
    if (configured === undefined) return undefined;
    const wanted = lookup(configured);
    if (wanted.uid === serverUid) return undefined;
    throw new FerryError(
      'invalid_config',
      `runtime.local.user is "${configured}", but the server runs as ${userInfo().username} ` +
        `(uid ${serverUid}) and cannot switch users: run the server as root, or remove runtime.local.user`,
    );
  }
  return lookup(configured ?? defaultRootInstanceUser);
}

/**
 * Looks a user up by name or numeric uid through the system's user database (`getent passwd`,
 * so NSS sources count), falling back to /etc/passwd.
 */
export function lookupUser(nameOrUid: string): InstanceUser {
  const entry = getentPasswd(nameOrUid) ?? etcPasswd(nameOrUid);
  if (entry) return entry;
  throw new FerryError(
    'invalid_config',
    `runtime.local.user "${nameOrUid}" is not a user of this machine: create it, or name another`,
  );
}

/** `name:x:uid:gid:gecos:home:shell` → the user. */
export function parsePasswdLine(line: string): InstanceUser | undefined {
  const [name, , uid, gid, , home] = line.split(':');
  if (name === undefined || home === undefined) return undefined;
  const ids = [Number(uid), Number(gid)];
  if (uid === '' || gid === '' || !ids.every(Number.isInteger)) return undefined;
  return { name, uid: Number(uid), gid: Number(gid), home };
}

function getentPasswd(nameOrUid: string): InstanceUser | undefined {
  try {
    const out = execFileSync('getent', ['passwd', nameOrUid], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return parsePasswdLine(out.trim().split('\n')[0] ?? '');
  } catch {
    return undefined; // not found (exit 2), or no getent
  }
}

function etcPasswd(nameOrUid: string): InstanceUser | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const user = parsePasswdLine(line);
    if (user && (user.name === nameOrUid || String(user.uid) === nameOrUid)) return user;
  }
  return undefined;
}
