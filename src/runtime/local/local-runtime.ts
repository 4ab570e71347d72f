import { FerryError } from '../../errors/ferry-error.js';
import { canonicalPath } from '../../shared/canonical-path.js';
import type {
  InstanceRecord,
  InstanceRuntime,
  InstanceSpec,
  InstanceStatus,
  RuntimeEvent,
} from '../../features/instances/instance-runtime.js';
import { defaultBackoff, type BackoffOptions } from './crash-backoff.js';
import { EventHub } from './event-hub.js';
import { allocatePort } from './free-port.js';
import { findInstanceLog, instanceLogPath, tailFile } from './log-file.js';
import { killOrphans } from './orphan-processes.js';
import { readProcStat } from './proc-stat.js';
import { isGroupAlive, killGroup } from './process-group.js';
import { ReleaseStore } from './release-store.js';
import { spawnInstance, type SpawnedInstance } from './spawn-instance.js';
import { SupervisedInstance, type SupervisorContext } from './supervised-instance.js';

export interface LocalRuntimeOptions {
  /** Root of `releases/` (unpacked artifacts) and `logs/` (one file per instance). */
  readonly dataDir: string;
  /** Restart spacing; missing fields take the defaults of {@link defaultBackoff}. */
  readonly backoff?: Partial<BackoffOptions>;
  /** Epoch ms; `startedAt` and the backoff reset read it. Default `Date.now`. */
  readonly now?: () => number;
  /** How often adopted processes are checked for having vanished. Default 250ms. */
  readonly adoptedPollMs?: number;
}

/** Log paths of instances no longer supervised, so their logs stay readable for a while. */
const rememberedLogs = 1000;

/**
 * Runs instances as local processes: each in its own process group, writing to its own log
 * file, probed over HTTP on 127.0.0.1, restarted with backoff when it crashes, and able to
 * outlive the server and be adopted again by the next one.
 *
 * @example
 * const runtime = new LocalRuntime({ dataDir: '.ferry' });
 * runtime.onEvent((event) => log.info(event.kind));
 * const status = await runtime.start(spec); // status.record.port serves the instance
 */
export class LocalRuntime implements InstanceRuntime {
  private readonly instances = new Map<string, SupervisedInstance>();
  private readonly pendingStarts = new Map<string, Promise<unknown>>();
  private readonly logPaths = new Map<string, string>();
  private readonly events = new EventHub<RuntimeEvent>();
  private readonly releases: ReleaseStore;
  private readonly context: SupervisorContext;
  private detached = false;
  /** Canonical (absolute, symlinks resolved): log paths are compared with what /proc shows. */
  private readonly dataDir: string;

  constructor(options: LocalRuntimeOptions) {
    this.dataDir = canonicalPath(options.dataDir);
    this.releases = new ReleaseStore(this.dataDir);
    this.context = {
      now: options.now ?? Date.now,
      emit: (event) => this.events.emit(event),
      backoff: { ...defaultBackoff, ...options.backoff },
      adoptedPollMs: options.adoptedPollMs ?? 250,
      respawn: (spec, record) => this.spawn(spec, record.port),
    };
  }

  async start(spec: InstanceSpec): Promise<InstanceStatus> {
    const id = spec.instanceId;
    this.assertAttached();
    if (this.instances.has(id) || this.pendingStarts.has(id)) {
      throw new FerryError('conflict', `instance "${id}" is already running`);
    }
    const starting = this.allocateAndSpawn(spec);
    this.pendingStarts.set(id, starting);
    try {
      const spawned = await starting;
      const instance = SupervisedInstance.spawned(this.context, spec, spawned);
      this.track(instance);
      // Detached while spawning: the process runs on, the caller persists its record.
      if (this.detached) await instance.detach();
      else instance.announce();
      return instance.status();
    } finally {
      this.pendingStarts.delete(id);
    }
  }

  async stop(instanceId: string): Promise<void> {
    // A stop that overtakes its start waits for the process, then stops it.
    await this.pendingStarts.get(instanceId)?.catch(() => undefined);
    const instance = this.instances.get(instanceId);
    if (!instance) return;
    try {
      await instance.stop();
    } finally {
      if (this.instances.get(instanceId) === instance) this.instances.delete(instanceId);
    }
  }

  async adopt(
    records: readonly { readonly spec: InstanceSpec; readonly record: InstanceRecord }[],
  ): Promise<{ readonly adopted: readonly string[]; readonly lost: readonly string[] }> {
    this.assertAttached();
    const adopted: string[] = [];
    const lost: string[] = [];
    for (const { spec, record: stored } of records) {
      const id = spec.instanceId;
      // Where the log is follows from the data folder; records of older servers hold paths
      // relative to their working directory, which /proc never shows.
      const logPath = instanceLogPath(this.dataDir, spec.service, spec.environment, id);
      const record = { ...stored, logPath };
      this.rememberLog(id, record.logPath);
      if (this.instances.has(id)) {
        adopted.push(id);
        continue;
      }
      const stat = readProcStat(record.pid);
      const same = stat !== undefined && stat.startTicks === record.pidStartTicks;
      if (same && stat.state !== 'Z') {
        const instance = SupervisedInstance.adopted(this.context, spec, record);
        this.track(instance);
        instance.announce();
        adopted.push(id);
        continue;
      }
      lost.push(id);
      // Kill what is left of the group (a server that outlived its shell) unless the pid now
      // belongs to another process: then the old group is empty and the id is someone else's.
      if ((stat === undefined || same) && isGroupAlive(record.pgid)) await killGroup(record.pgid);
    }
    // A server killed between spawning an instance and recording it leaves a process nobody
    // knows: anything writing to this data dir's logs that is not supervised now goes.
    const known = new Set([...this.instances.values()].map((i) => i.status().record.logPath));
    killOrphans(this.dataDir, known);
    return { adopted, lost };
  }

  get(instanceId: string): InstanceStatus | undefined {
    return this.instances.get(instanceId)?.status();
  }

  list(): readonly InstanceStatus[] {
    return [...this.instances.values()].map((instance) => instance.status());
  }

  onEvent(listener: (event: RuntimeEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  /** Also reads logs of instances no longer (or not yet) supervised; none found is no lines. */
  async logs(instanceId: string, lines: number): Promise<readonly string[]> {
    const path =
      this.instances.get(instanceId)?.status().record.logPath ??
      this.logPaths.get(instanceId) ??
      (await findInstanceLog(this.dataDir, instanceId));
    return path === undefined ? [] : tailFile(path, lines);
  }

  async detach(): Promise<void> {
    this.detached = true;
    await Promise.allSettled(this.pendingStarts.values());
    await Promise.all([...this.instances.values()].map((instance) => instance.detach()));
    this.instances.clear();
  }

  /**
   * Removes the unpacked releases of a service and environment except `keep` (digests). Releases
   * of instances this runtime supervises are always kept. Resolves to the removed folder names.
   */
  pruneReleases(service: string, environment: string, keep: readonly string[]): Promise<string[]> {
    const inUse = [...this.instances.values()]
      .map((instance) => instance.spec)
      .filter((spec) => spec.service === service && spec.environment === environment)
      .map((spec) => spec.artifactDigest);
    return this.releases.prune(service, environment, [...keep, ...inUse]);
  }

  private assertAttached(): void {
    if (this.detached) throw new FerryError('conflict', 'the local runtime was detached');
  }

  private async allocateAndSpawn(spec: InstanceSpec): Promise<SpawnedInstance> {
    return this.spawn(spec, await allocatePort());
  }

  private async spawn(spec: InstanceSpec, port: number): Promise<SpawnedInstance> {
    const releaseDir = await this.releases.ensure(
      spec.service,
      spec.environment,
      spec.artifactDigest,
      spec.artifactPath,
    );
    const logPath = instanceLogPath(this.dataDir, spec.service, spec.environment, spec.instanceId);
    return spawnInstance({ spec, releaseDir, port, logPath });
  }

  private track(instance: SupervisedInstance): void {
    const { instanceId, logPath } = instance.status().record;
    this.instances.set(instanceId, instance);
    this.rememberLog(instanceId, logPath);
  }

  private rememberLog(instanceId: string, logPath: string): void {
    this.logPaths.delete(instanceId);
    this.logPaths.set(instanceId, logPath);
    if (this.logPaths.size > rememberedLogs) {
      const oldest = this.logPaths.keys().next().value;
      if (oldest !== undefined) this.logPaths.delete(oldest);
    }
  }
}
