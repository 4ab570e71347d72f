import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../errors/ferry-error.js';
import { projectRoot } from '../../shared/project-root.js';
import { ControlClient } from '../control/control-client.js';
import {
  controlPaths,
  routerFolder,
  routerLogPath,
  type RouterSettings,
  type RouterState,
} from '../control/control-protocol.js';
import { readRouterState } from './router-state-file.js';

/** How long a spawned router may take to serve its saved tables and answer. */
const startTimeoutMs = 15_000;

/**
 * Starts `ferry router --data <dataDir>` detached (its own process group; it outlives the caller),
 * its stdout and stderr appended to `router/router.log` (folder 0700, log 0600). Resolves once `router.json` names the new
 * process and its control channel answers; rejects after 15 s with the log's last lines.
 *
 * @example
 * const state = await spawnRouter({ dataDir, settings });
 * const router = new RemoteRouter(state); await router.connect();
 */
export async function spawnRouter(options: {
  readonly dataDir: string;
  readonly settings: RouterSettings;
  /** The `ferry` entry to run; default this build's `bin/ferry.js`. */
  readonly bin?: string;
}): Promise<RouterState> {
  const { dataDir, settings } = options;
  // Private like the rest of the data folder: the log and tables name every upstream.
  mkdirSync(routerFolder(dataDir), { recursive: true, mode: 0o700 });
  const logPath = routerLogPath(dataDir);
  const logFd = openSync(logPath, 'a', 0o600);
  const bin = options.bin ?? join(projectRoot(), 'bin', 'ferry.js');
  let child;
  try {
    child = spawn(
      process.execPath,
      [bin, 'router', '--data', dataDir, '--settings-json', JSON.stringify(settings)],
      { detached: true, stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  child.unref();
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ?? `code ${code}`));
  child.once('error', (error) => (exited = error.message));
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline && exited === undefined) {
    const state = readRouterState(dataDir);
    if (state !== undefined && state.pid === child.pid && (await answers(state))) return state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (exited === undefined) child.kill('SIGKILL');
  throw new FerryError(
    'internal',
    `the router did not start (${exited === undefined ? `no answer in ${startTimeoutMs / 1000} s` : `exited: ${exited}`}); ` +
      `last lines of ${logPath}:\n${tail(logPath, 10)}`,
  );
}

async function answers(state: RouterState): Promise<boolean> {
  const client = new ControlClient(state);
  try {
    await client.call('GET', controlPaths.health);
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
