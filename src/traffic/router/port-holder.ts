import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A process that listens on a TCP port. */
export interface PortHolder {
  readonly pid: number;
  /** Its command line, arguments joined by spaces; empty if unreadable. */
  readonly command: string;
}

/** TCP state `0A` in `/proc/net/tcp`: LISTEN. */
const listenState = '0A';

/**
 * The socket inodes listening on `port` in a `/proc/net/tcp` or `/proc/net/tcp6` table.
 *
 * @example listeningInodes('  0: 0100007F:1F90 00000000:0000 0A ... 0 12345 1 ...', 8080) // [12345]
 */
export function listeningInodes(table: string, port: number): number[] {
  const inodes: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (!local || fields[3] !== listenState) continue;
    if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
    const inode = Number(fields[9]);
    if (Number.isInteger(inode) && inode > 0) inodes.push(inode);
  }
  return inodes;
}

/**
 * Who listens on a TCP port on this machine, best effort (Linux `/proc`; processes of other users
 * are visible only to root): the listening socket's inode from `/proc/net/tcp{,6}`, then the
 * process with a file descriptor on that socket. Undefined when it cannot tell.
 */
export function findPortHolder(port: number, proc = '/proc'): PortHolder | undefined {
  const inodes = new Set<number>();
  for (const table of ['net/tcp', 'net/tcp6']) {
    try {
      for (const inode of listeningInodes(readFileSync(`${proc}/${table}`, 'utf8'), port)) {
        inodes.add(inode);
      }
    } catch {
      // No IPv6, or no /proc: nothing to learn from this table.
    }
  }
  if (inodes.size === 0) return undefined;
  const sockets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const entry of safeList(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of safeList(`${proc}/${entry}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`${proc}/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (sockets.has(target)) return { pid: Number(entry), command: commandOf(proc, entry) };
    }
  }
  return undefined;
}

/**
 * Says who holds a port, for an error message: `pid 123 (python3 -m http.server 8080)`, this very
 * process (a Ferry server's own API), or that it is unknown.
 */
export function describePortHolder(port: number): string {
  const holder = findPortHolder(port);
  if (!holder) return 'by a process Ferry cannot identify';
  if (holder.pid === process.pid) {
    return `by this ferry server itself (pid ${holder.pid}): its API --listen port or another of its listeners`;
  }
  return `by pid ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`;
}

function commandOf(proc: string, pid: string): string {
  try {
    const line = readFileSync(`${proc}/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .join(' ');
    return line.length > 120 ? `${line.slice(0, 117)}...` : line;
  } catch {
    return '';
  }
}

/** A process's short name (`/proc/<pid>/comm`), `unknown` when unreadable. */
export function processName(pid: number, proc = '/proc'): string {
  try {
    return readFileSync(`${proc}/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
