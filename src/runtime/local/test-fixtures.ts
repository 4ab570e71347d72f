import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { c as createTar } from 'tar';
import type { ProbeConfig } from '../../config/ferry-config.js';
import type { InstanceSpec, RuntimeEvent } from '../../features/instances/instance-runtime.js';
import { localHandleOf } from './local-handle.js';
import type { LocalRuntime } from './local-runtime.js';
import { signalGroup, waitForGroupExit } from './process-group.js';
import { listProcesses, processEnvValue } from './process-table.js';

/** Helpers for the local runtime's tests: real artifacts, real processes. Not used in production. */

const helloDir = fileURLToPath(new URL('../../../examples/hello/', import.meta.url));

export interface BuiltArtifact {
  readonly path: string;
  readonly digest: string;
}

/** Packs examples/hello with the given `hello.json` into `<dir>/<name>.tgz`. */
export async function buildHelloArtifact(
  dir: string,
  settings: Record<string, unknown> = {},
  name = 'hello',
): Promise<BuiltArtifact> {
  const staging = await mkdtemp(join(dir, 'staging-'));
  try {
    for (const file of ['server.js', 'package.json']) {
      await copyFile(join(helloDir, file), join(staging, file));
    }
    await writeFile(join(staging, 'hello.json'), JSON.stringify(settings));
    const path = join(dir, `${name}.tgz`);
    await createTar({ gzip: true, cwd: staging, file: path }, [
      'server.js',
      'package.json',
      'hello.json',
    ]);
    const digest = `sha256:${createHash('sha256')
      .update(await readFile(path))
      .digest('hex')}`;
    return { path, digest };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export const fastReadiness: ProbeConfig = {
  path: '/healthz',
  intervalMs: 100,
  timeoutMs: 1000,
  successThreshold: 1,
  failureThreshold: 3,
  initialDelayMs: 0,
};

export function helloSpec(
  artifact: BuiltArtifact,
  overrides: Partial<InstanceSpec> & { readonly instanceId: string },
): InstanceSpec {
  return {
    service: 'web',
    environment: 'dev',
    version: '1.0.0',
    artifactDigest: artifact.digest,
    command: ['node', 'server.js'],
    cwd: '.',
    env: {},
    readiness: fastReadiness,
    drainTimeoutMs: 10_000,
    ...overrides,
  };
}

/**
 * A fresh folder under the system's temp folder. Search-only for others (0711, not mkdtemp's
 * 0700): instances of a root server run as `nobody` and must get through to their releases.
 */
export async function makeTempDir(prefix = 'ferry-local-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o711);
  return dir;
}

/**
 * Records every event of the runtimes it listens to, and kills every process group it saw
 * started, so a failing test leaves nothing running.
 */
export class EventLog {
  readonly events: RuntimeEvent[] = [];
  private readonly groups = new Set<number>();
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribes: (() => void)[] = [];

  listen(runtime: LocalRuntime): this {
    this.unsubscribes.push(
      runtime.onEvent((event) => {
        this.events.push(event);
        this.groups.add(localHandleOf(event.status.record).pgid);
        for (const wake of [...this.waiters]) wake();
      }),
    );
    return this;
  }

  /** Also kill this group on cleanup (a process started outside a runtime). */
  own(pgid: number): void {
    this.groups.add(pgid);
  }

  of<K extends RuntimeEvent['kind']>(
    kind: K,
    instanceId?: string,
  ): Extract<RuntimeEvent, { kind: K }>[] {
    return this.events.filter(
      (event): event is Extract<RuntimeEvent, { kind: K }> =>
        event.kind === kind &&
        (instanceId === undefined || event.status.spec.instanceId === instanceId),
    );
  }

  /** Resolves with the `count`-th event of the kind (already seen ones count). */
  waitFor<K extends RuntimeEvent['kind']>(
    kind: K,
    instanceId?: string,
    count = 1,
    timeoutMs = 30_000,
  ): Promise<Extract<RuntimeEvent, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.of(kind, instanceId)[count - 1];
        if (found === undefined) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        const seen = this.events.map((event) => event.kind).join(', ');
        reject(new Error(`no ${count}× ${kind} within ${timeoutMs}ms; saw: ${seen}`));
      }, timeoutMs);
      this.waiters.add(wake);
      check();
    });
  }

  async cleanup(): Promise<void> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    for (const pgid of this.groups) signalGroup(pgid, 'SIGKILL');
    for (const pgid of this.groups) await waitForGroupExit(pgid, 5000);
    this.groups.clear();
  }
}

/** A request over plain HTTP without keep-alive: status, headers and the parsed JSON body. */
export function requestJson(
  port: number,
  path = '/',
  options: { readonly method?: string; readonly body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<
              string,
              unknown
            >;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          } catch (error) {
            reject(error as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Live processes whose environment has `TEST_TAG=<tag>`: all processes of a test's instances. */
export function taggedProcesses(tag: string): number[] {
  return listProcesses()
    .filter((proc) => proc.state !== 'Z' && processEnvValue(proc, 'TEST_TAG') === tag)
    .map((proc) => proc.pid);
}

/** SIGKILLs every process tagged `tag`, so a failing test leaves no detached child behind. */
export function killTagged(tag: string): void {
  for (const pid of taggedProcesses(tag)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}
