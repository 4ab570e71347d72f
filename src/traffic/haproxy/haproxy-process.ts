import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HaproxyPaths } from './haproxy-config.js';
import { parseProcessList, sendCommand, type ProcessList } from './haproxy-socket.js';

/** Debian's and most distributions' path of the HAProxy binary. */
export const defaultHaproxyBinary = '/usr/sbin/haproxy';

/**
 * One HAProxy in master-worker mode (`-W`), started by Ferry in its own process group so it
 * outlives `ferry server`, and adopted by the next one (its pidfile names a live master whose
 * CLI answers). Reloads go through the master CLI: the new worker takes the listening sockets
 * over, so no connection is refused.
 */
export class HaproxyProcess {
  private constructor(
    readonly paths: HaproxyPaths,
    readonly masterPid: number,
  ) {}

  /** Adopts the HAProxy of `paths` if it runs, else starts one on the config written there. */
  static async startOrAdopt(
    paths: HaproxyPaths,
    binary = defaultHaproxyBinary,
  ): Promise<{
    readonly process: HaproxyProcess;
    readonly adopted: boolean;
  }> {
    const running = await HaproxyProcess.find(paths);
    if (running !== undefined) return { process: running, adopted: true };
    await Promise.all([paths.masterSocket, paths.adminSocket].map((p) => rm(p, { force: true })));
    const log = openSync(paths.log, 'a');
    const child = spawn(
      binary,
      ['-W', '-S', `${paths.masterSocket},mode,600`, '-f', paths.config, '-p', paths.pidFile],
      { detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    let exited: string | undefined;
    child.on('exit', (code, signal) => (exited = `exited (${signal ?? code})`));
    child.on('error', (error) => (exited = error.message));
    child.unref();
    for (let waited = 0; waited < 10_000; waited += 50) {
      if (exited !== undefined) break;
      const list = await HaproxyProcess.processList(paths);
      if (list !== undefined && list.workers.length > 0) {
        return { process: new HaproxyProcess(paths, list.masterPid), adopted: false };
      }
      await sleep(50);
    }
    child.kill('SIGKILL');
    if (exited?.includes('ENOENT')) {
      throw new Error(
        `${binary} not found; install HAProxy 2.6 or later (apt-get install haproxy)`,
      );
    }
    const tail = (await readFile(paths.log, 'utf8').catch(() => ''))
      .split('\n')
      .slice(-6)
      .join('\n');
    throw new Error(
      `haproxy did not start (${exited ?? 'no answer in 10 s'}); ${paths.log}:\n${tail}`,
    );
  }

  /** The running HAProxy of `paths`: its pidfile's master, alive and answering on its CLI. */
  static async find(paths: HaproxyPaths): Promise<HaproxyProcess | undefined> {
    const pid = Number((await readFile(paths.pidFile, 'utf8').catch(() => '')).trim());
    if (!(pid > 0) || !isAlive(pid)) return undefined;
    const list = await HaproxyProcess.processList(paths);
    return list?.masterPid === pid ? new HaproxyProcess(paths, pid) : undefined;
  }

  /** `show proc` of the master CLI, or undefined when it does not answer. */
  static async processList(paths: HaproxyPaths): Promise<ProcessList | undefined> {
    try {
      return parseProcessList(await sendCommand(paths.masterSocket, 'show proc', 2_000));
    } catch {
      return undefined;
    }
  }

  /**
   * Reloads the config file: resolves once a new worker serves it; rejects, with the lines
   * HAProxy logged, when it refused the config (the old worker then serves on, unchanged).
   */
  async reload(): Promise<void> {
    const before = await HaproxyProcess.processList(this.paths);
    if (before === undefined) throw new Error('haproxy master CLI does not answer');
    const logStart = await logSize(this.paths.log);
    await sendCommand(this.paths.masterSocket, 'reload', 5_000).catch(() => '');
    for (let waited = 0; waited < 15_000; waited += 25) {
      await sleep(25);
      const after = await HaproxyProcess.processList(this.paths);
      if (after === undefined || after.reloads <= before.reloads) continue;
      if (after.failedReloads > before.failedReloads) {
        const text = await readFile(this.paths.log, 'utf8').catch(() => '');
        const alerts = text
          .slice(logStart)
          .split('\n')
          .filter((line) => line.includes('[ALERT]'));
        throw new Error(
          `haproxy refused the new config: ${alerts.join(' ') || 'see ' + this.paths.log}`,
        );
      }
      if (after.workers.some((w) => w.reloads === 0)) return;
    }
    throw new Error(`haproxy did not reload in 15 s; see ${this.paths.log}`);
  }

  /** Whether workers a reload replaced still finish requests. */
  async hasOldWorkers(): Promise<boolean> {
    const list = await HaproxyProcess.processList(this.paths);
    return list !== undefined && list.workers.some((w) => w.reloads > 0);
  }

  /** Stops HAProxy (master and workers, by process group) and waits for the master to exit. */
  async stop(timeoutMs = 5_000): Promise<void> {
    signalGroup(this.masterPid, 'SIGTERM');
    for (let waited = 0; waited < timeoutMs && isAlive(this.masterPid); waited += 25) {
      await sleep(25);
    }
    signalGroup(this.masterPid, 'SIGKILL');
    await rm(this.paths.pidFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

async function logSize(path: string): Promise<number> {
  return (await readFile(path, 'utf8').catch(() => '')).length;
}
