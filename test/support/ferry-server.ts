import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { instanceProcesses, killOrphans } from '../../src/runtime/local/orphan-processes.js';
import { freePort } from '../../src/demo/free-port.js';
import { stopRouter } from '../../src/server/stop-router.js';

const bin = join(import.meta.dirname, '../../bin/ferry.js');

/** A real `ferry server` process on a fresh data dir, for end-to-end tests. */
export class FerryServer {
  private child: ChildProcess | undefined;
  readonly output: string[] = [];
  /** Sent as a bearer token by `get` and `send` when set. */
  token: string | undefined;

  private constructor(
    readonly dir: string,
    readonly dataDir: string,
    readonly configPath: string,
    port: number,
    private readonly dataArgument: string,
  ) {
    this.currentPort = port;
  }

  private currentPort: number;
  private startedOnce = false;

  /** The API's port; chosen free before the first start, kept across restarts. */
  get port(): number {
    return this.currentPort;
  }

  /**
   * `dataDir`: where the data folder goes instead of `<fresh dir>/data` (a small tmpfs, say).
   * `relativeData` (such as `.ferry`) runs the server in its folder with that relative `--data`,
   * as a user who just types `ferry server` does.
   */
  static async create(
    configYaml: string,
    options: { readonly dataDir?: string; readonly relativeData?: string } = {},
  ): Promise<FerryServer> {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
    // Search-only for others: instances of a root server run as nobody and must reach releases.
    chmodSync(dir, 0o711);
    const configPath = join(dir, 'ferry.yaml');
    writeFileSync(configPath, configYaml);
    const dataDir = options.dataDir ?? join(dir, options.relativeData ?? 'data');
    return new FerryServer(
      dir,
      dataDir,
      configPath,
      await freePort(),
      options.relativeData ?? dataDir,
    );
  }

  /** Pid of the running server process. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Replaces ferry.yaml; the next `start` reads it. */
  async writeConfig(configYaml: string): Promise<void> {
    writeFileSync(this.configPath, configYaml);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts the server and waits until /readyz answers 200. `extraArgs` go last, so they win over
   * the defaults (e.g. `--listen 0.0.0.0:<port>`, `--auth required`).
   */
  async start(extraArgs: readonly string[] = []): Promise<void> {
    // A free port can be taken (by another test file's instance) between choosing it and the
    // server listening: a first start then takes another one. Restarts keep theirs.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce(extraArgs);
        this.startedOnce = true;
        return;
      } catch (error) {
        const taken = String(error).includes('for the API (--listen) (EADDRINUSE');
        if (!taken || this.startedOnce || attempt >= 3) throw error;
        this.output.length = 0;
        this.currentPort = await freePort();
      }
    }
  }

  private async startOnce(extraArgs: readonly string[]): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        bin,
        'server',
        '-f',
        this.configPath,
        '--data',
        this.dataArgument,
        '--listen',
        `127.0.0.1:${this.port}`,
        ...extraArgs,
      ],
      {
        // A relative --data is relative to this folder; an absolute one does not care.
        cwd: this.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
      },
    );
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => this.output.push(d.toString()));
    // It starts (or adopts) a router process too: on a loaded machine that takes a while.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`ferry server exited ${child.exitCode}: ${this.output.join('')}`);
      }
      try {
        // Bounded: a port held by something that never answers must not hang the wait.
        const res = await request(`${this.url}/readyz`, {
          headersTimeout: 2_000,
          bodyTimeout: 2_000,
        });
        await res.body.dump();
        if (res.statusCode === 200) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`ferry server not ready: ${this.output.join('')}`);
  }

  /** Kills the server process (SIGKILL by default) and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Pids of instance processes of this server's data dir that are alive. */
  instancePids(): number[] {
    return instanceProcesses(this.dataDir).map((p) => p.pid);
  }

  /**
   * Stops the server and kills the router process and every instance it left (they outlive it by
   * design).
   */
  async destroy(): Promise<void> {
    await this.kill('SIGTERM');
    await stopRouter(this.dataDir);
    await killOrphans(this.dataDir);
  }

  async get<T>(path: string): Promise<T> {
    const res = await request(`${this.url}${path}`, { headers: this.authorization() });
    const body = (await res.body.json()) as T;
    if (res.statusCode >= 400)
      throw new Error(`GET ${path}: ${res.statusCode} ${JSON.stringify(body)}`);
    return body;
  }

  async send(
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await request(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...this.authorization() },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  }

  private authorization(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }
}
