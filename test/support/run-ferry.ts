import { spawn } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '../../bin/ferry.js');

export interface FerryRun {
  /** Exit code, or null when it was still running at the deadline (then it was killed). */
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `ferry <args>` as a real process; kills it if it is still running after `timeoutMs`. */
export function runFerry(args: readonly string[], timeoutMs = 15_000): Promise<FerryRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}
