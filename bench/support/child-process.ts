import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface NodeChildOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Opens an IPC channel for `process.send` between bench and child. */
  readonly ipc?: boolean;
  /** Node flags before the script, e.g. `--cpu-prof`. */
  readonly execArgv?: readonly string[];
}

/** Runs `script` in its own Node process: load generator, router and upstream get a core each. */
export function spawnNode(script: string, options: NodeChildOptions = {}): ChildProcess {
  return spawnProgram(process.execPath, [...(options.execArgv ?? []), script], options);
}

/** Runs any program with the bench's conventions: stdout ignored, stderr shown. */
export function spawnProgram(
  program: string,
  args: readonly string[],
  options: Omit<NodeChildOptions, 'execArgv'> = {},
): ChildProcess {
  return spawn(program, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit'],
  });
}

/** The next IPC message of `child`; rejects if it exits first or `timeoutMs` passes. */
export function nextMessage<T>(child: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => settle(new Error(`no message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => settle(undefined, message as T);
    const onExit = (code: number | null) =>
      settle(new Error(`child exited with code ${String(code)} before answering`));
    function settle(error: Error | undefined, message?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL if the child is still running after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
