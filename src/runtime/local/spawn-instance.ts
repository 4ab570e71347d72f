import { spawn, type ChildProcess } from 'node:child_process';
import { resolve, sep } from 'node:path';
import type { InstanceSpec } from '../../features/instances/instance-runtime.js';
import { InvalidRequestError } from '../../errors/ferry-error.js';
import { localInstanceHost } from './free-port.js';
import { instanceMarkerVariable } from './instance-marker.js';
import type { InstanceProcesses } from './instance-processes.js';
import type { InstanceUser } from './instance-user.js';
import type { LocalRecord } from './local-handle.js';
import { closeLogFile, openLogFile } from './log-file.js';
import { readProcStat } from './proc-stat.js';

/** Server variables an instance inherits; everything else comes from its spec. */
const inheritedEnv = ['PATH', 'HOME', 'LANG'] as const;

export interface SpawnRequest {
  readonly spec: InstanceSpec;
  readonly releaseDir: string;
  readonly port: number;
  readonly logPath: string;
  /** Where the instance's processes are followed: its marker, and its cgroup for the spawn. */
  readonly processes: InstanceProcesses;
  /** The user to run as; undefined runs it as the server's own user. */
  readonly user?: InstanceUser;
}

export interface ProcessExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedInstance {
  readonly child: ChildProcess;
  readonly record: LocalRecord;
  /** Settles when the spawned process (not necessarily its whole group) exits. */
  readonly exited: Promise<ProcessExit>;
}

/**
 * The environment of an instance: PATH, HOME and LANG of the server (HOME of the instance's user
 * when it runs as another one), then the spec's variables,
 * then what Ferry tells every instance (these win), including the marker by which the runtime
 * finds every process the instance starts.
 */
export function instanceEnv(
  spec: InstanceSpec,
  port: number,
  marker?: string,
  user?: InstanceUser,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of inheritedEnv) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  // Another user's home, not the server's (which it could not use anyway).
  if (user) env['HOME'] = user.home;
  return {
    ...env,
    ...spec.env,
    PORT: String(port),
    FERRY_INSTANCE: spec.instanceId,
    FERRY_SERVICE: spec.service,
    FERRY_ENVIRONMENT: spec.environment,
    FERRY_VERSION: spec.version,
    ...(marker === undefined ? {} : { [instanceMarkerVariable]: marker }),
  };
}

/**
 * Spawns an instance in its own process group (`detached`), with stdout and stderr going
 * straight into its log file, so it survives the server and can be adopted again later.
 * Resolves once the process exists; rejects when it cannot be started (command not found).
 */
export async function spawnInstance(request: SpawnRequest): Promise<SpawnedInstance> {
  const { spec, port, logPath, processes, user } = request;
  const [command, ...args] = spec.command;
  if (command === undefined)
    throw new InvalidRequestError(`instance ${spec.instanceId}: empty command`);
  const cwd = releaseCwd(request.releaseDir, spec.cwd);
  const fd = openLogFile(logPath);
  let child: ChildProcess;
  try {
    child = processes.spawn(() =>
      spawn(command, args, {
        cwd,
        env: instanceEnv(spec, port, processes.markerValue, user),
        detached: true,
        // libuv also drops the server's supplementary groups when it switches.
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
        stdio: ['ignore', fd, fd],
      }),
    );
  } finally {
    // The child has its own copy of the descriptor.
    closeLogFile(fd);
  }
  // Listen before yielding to the event loop, which may reap a process that exits at once.
  const exited = new Promise<ProcessExit>((resolveExit) =>
    child.once('exit', (exitCode, signal) => resolveExit({ exitCode, signal })),
  );
  // Read while the process cannot have been reaped yet: start ticks do not change on exec.
  const stat = child.pid === undefined ? undefined : readProcStat(child.pid);
  await new Promise<void>((resolveSpawn, rejectSpawn) => {
    child.once('spawn', resolveSpawn);
    child.once('error', rejectSpawn);
  });
  // Later errors come from ChildProcess.kill(), which the runtime does not use; never throw them.
  child.on('error', () => undefined);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`instance ${spec.instanceId}: spawned without a pid`);
  return {
    child,
    exited,
    record: {
      instanceId: spec.instanceId,
      host: localInstanceHost,
      port,
      handle: { kind: 'local', pid, pgid: pid, pidStartTicks: stat?.startTicks ?? 0, logPath },
    },
  };
}

/** `spec.cwd` inside the release folder; a path that leaves it is a mistake in the spec. */
function releaseCwd(releaseDir: string, cwd: string): string {
  const root = resolve(releaseDir);
  const full = resolve(root, cwd);
  if (full !== root && !full.startsWith(root + sep)) {
    throw new InvalidRequestError(`instance cwd "${cwd}" leaves the release folder`, [
      { path: 'cwd', message: 'must be a path inside the artifact' },
    ]);
  }
  return full;
}
