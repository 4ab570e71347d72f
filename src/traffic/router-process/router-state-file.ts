import { readFileSync } from 'node:fs';
import {
  routerStatePath,
  routerStateSchema,
  type RouterState,
} from '../control/control-protocol.js';
import { writeFileAtomic } from './atomic-write.js';

/** The router's `router.json`, or undefined when there is none (or it is unreadable). */
export function readRouterState(dataDir: string): RouterState | undefined {
  try {
    return routerStateSchema.parse(JSON.parse(readFileSync(routerStatePath(dataDir), 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * What `router.json` says for the router's own watch: `missing` only when the file (or its
 * folder) is gone; a read that fails otherwise (too many open files, a torn disk) is `unknown`,
 * which must not end a router that serves.
 */
export function routerStateNow(dataDir: string): RouterState | 'missing' | 'unknown' {
  let text: string;
  try {
    text = readFileSync(routerStatePath(dataDir), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unknown';
  }
  const parsed = routerStateSchema.safeParse(safeJson(text));
  return parsed.success ? parsed.data : 'unknown';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Writes `router.json` (mode 0600: it holds the token) so a reader sees all of it or nothing. */
export function writeRouterState(dataDir: string, state: RouterState): Promise<void> {
  return writeFileAtomic(routerStatePath(dataDir), `${JSON.stringify(state)}\n`, 0o600);
}

/** Whether a process with this pid exists (a zombie counts until reaped). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
