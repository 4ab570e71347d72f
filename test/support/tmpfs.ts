import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small tmpfs mounted at a fresh folder, for disk-full and read-only tests. Undefined (with the
 * reason in `why`) when it cannot be mounted, e.g. when not root; tests then skip, except under
 * CI=true where they must run.
 */
export function mountTmpfs(options: string): { dir: string; unmount(): void } | { why: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `cannot mount a tmpfs (${(error as Error).message.split('\n')[0]})` };
  }
  return {
    dir,
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Skips the running test with one line, or fails it when CI=true (the case must be tested). */
export function skipOrFail(why: string, skip: (note: string) => void): void {
  if (process.env['CI'] === 'true') throw new Error(`${why}; CI=true requires this test to run`);
  skip(`skipped: ${why}`);
}

/** CPU time (user + system) a process used, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are at 11 and 12 after the comm.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}
