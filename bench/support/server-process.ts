import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from './project-root.js';

/**
 * A real `ferry server` process (`bin/ferry.js server`, the built code) on a given data folder,
 * that the bench can kill and start again on the same folder and port, as an operator would.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];

  constructor(
    private readonly options: {
      readonly configPath: string;
      readonly dataDir: string;
      readonly port: number;
    },
  ) {}

  /** The running server's pid, for reading its resource use from /proc. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Starts the server and resolves once `/readyz` answers 200; rejects after `timeoutMs`. */
  async start(timeoutMs = 30_000): Promise<void> {
    const { configPath, dataDir, port } = this.options;
    const child = spawn(
      process.execPath,
      [
        join(projectRoot(), 'bin', 'ferry.js'),
        'server',
        '-f',
        configPath,
        '--data',
        dataDir,
        '--listen',
        `127.0.0.1:${port}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
      },
    );
    this.child = child;
    this.output.length = 0;
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `ferry server exited (${child.exitCode ?? child.signalCode}): ${this.log()}`,
        );
      }
      if (await ready(`${this.url}/readyz`)) return;
      await sleep(50);
    }
    throw new Error(`ferry server not ready within ${timeoutMs} ms: ${this.log()}`);
  }

  /** Sends `signal` (SIGKILL: no goodbye at all) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** What the server wrote on stderr since its last start. */
  log(): string {
    return this.output.join('').trim();
  }
}

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
