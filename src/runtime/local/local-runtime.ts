import { FerryError } from '../../errors/ferry-error.js';
import { canonicalPath } from '../../shared/canonical-path.js';
import type {
  InstanceDetails,
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
import { InstanceCgroup, openCgroupBase, removeCgroupBase, type CgroupBase } from './cgroup-v2.js';
import { runtimeKey } from './instance-marker.js';
import { InstanceProcesses } from './instance-processes.js';
import { instanceUser, lookupUser, type InstanceUser } from './instance-user.js';
import { asLocalRecord, type LocalRecord } from './local-handle.js';
import { killOrphans } from './orphan-processes.js';
import { readProcStat } from './proc-stat.js';
import { listProcesses } from './process-table.js';
import { assertReachable, grantReleaseAccess } from './release-access.js';
import { ReleaseStore } from './release-store.js';
import { spawnInstance, type SpawnedInstance } from './spawn-instance.js';
import { SupervisedInstance, type SupervisorContext } from './supervised-instance.js';

export interface LocalRuntimeOptions {
  /** Root of `releases/` (unpacked artifacts) and `logs/` (one file per instance). */
  readonly dataDir: string;
  /** Where the tarball (`.tar.gz`) of an artifact is, by digest: specs name artifacts by digest. */
  readonly artifactPath: (digest: string) => string;
  /** Restart spacing; missing fields take the defaults of {@link defaultBackoff}. */
  readonly backoff?: Partial<BackoffOptions>;
  /** Epoch ms; `startedAt` and the backoff reset read it. Default `Date.now`. */
  readonly now?: () => number;
  /** How often adopted processes are checked for having vanished. Default 250ms. */
  readonly adoptedPollMs?: number;
  /**
   * Hold each instance in a cgroup v2 of its own. Default: when a writable cgroup v2 hierarchy
   * exists. `false` tracks descendants through /proc only; `true` fails when there is none.
   */
  readonly cgroups?: boolean;
  /** How often descendants are recorded through /proc when no cgroup holds them. Default 1s. */
  readonly descendantScanMs?: number;
}

/** Bound on waiting for the processes of a failed start or a lost instance to die. */
const killWaitMs = 10_000;

/** Log paths of instances no longer supervised, so their logs stay readable for a while. */
const rememberedLogs = 1000;

/**
 * Runs instances as local processes: each in its own process group (and cgroup v2 when one is
 * writable), writing to its own log file, probed over HTTP on 127.0.0.1, restarted with backoff
 * when it crashes, and able to outlive the server and be adopted again by the next one. Stopping
 * or restarting an instance ends every process it started, detached ones included.
 *
 * @example
 * const runtime = new LocalRuntime({ dataDir: '.ferry', artifactPath: (d) => blobs.path(d) });
 * runtime.onEvent((event) => log.info(event.kind));
 * const status = await runtime.start(spec); // status.record.port serves the instance
 */
export class LocalRuntime implements InstanceRuntime {
  private readonly instances = new Map<string, SupervisedInstance>();
  private readonly pendingStarts = new Map<string, Promise<unknown>>();
  private readonly logPaths = new Map<string, string>();
  private readonly users = new Map<string, InstanceUser>();
  private readonly events = new EventHub<RuntimeEvent>();
  private readonly releases: ReleaseStore;
  private readonly artifactPath: (digest: string) => string;
  private readonly context: SupervisorContext;
  private detached = false;
  /** Canonical (absolute, symlinks resolved): log paths are compared with what /proc shows. */
  private readonly dataDir: string;
  private readonly key: string;
  private readonly cgroupBase: CgroupBase | undefined;
  private readonly scanner: NodeJS.Timeout | undefined;

  constructor(options: LocalRuntimeOptions) {
    this.dataDir = canonicalPath(options.dataDir);
    this.key = runtimeKey(this.dataDir);
    this.cgroupBase = options.cgroups === false ? undefined : openCgroupBase(this.key);
    if (options.cgroups === true && !this.cgroupBase) {
      throw new FerryError('conflict', 'no writable cgroup v2 hierarchy for the local runtime');
    }
    if (!this.cgroupBase) {
      // Without a cgroup, a child that detaches is only known if seen before its parent exits.
      this.scanner = setInterval(() => this.recordDescendants(), options.descendantScanMs ?? 1000);
      this.scanner.unref();
    }
    this.releases = new ReleaseStore(this.dataDir);
    this.artifactPath = options.artifactPath;
    this.context = {
      now: options.now ?? Date.now,
      emit: (event) => this.events.emit(event),
      backoff: { ...defaultBackoff, ...options.backoff },
      adoptedPollMs: options.adoptedPollMs ?? 250,
      respawn: (spec, record, processes) => this.spawn(spec, record.port, processes),
    };
  }

  async start(spec: InstanceSpec): Promise<InstanceStatus> {
    const id = spec.instanceId;
    this.assertAttached();
    if (this.instances.has(id) || this.pendingStarts.has(id)) {
      throw new FerryError('conflict', `instance "${id}" is already running`);
    }
    const processes = this.processesOf(id);
    const starting = this.allocateAndSpawn(spec, processes);
    this.pendingStarts.set(id, starting);
    try {
      let spawned: SpawnedInstance;
      try {
        spawned = await starting;
      } catch (error) {
        await processes.killAll(killWaitMs); // and removes the cgroup made for it
        throw error;
      }
      const instance = SupervisedInstance.spawned(this.context, spec, spawned, processes);
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
      const local = asLocalRecord(stored);
      if (this.instances.has(id)) adopted.push(id);
      else if (local && (await this.adoptOne(spec, local))) adopted.push(id);
      else lost.push(id);
    }
    // A server killed between spawning an instance and recording it leaves a process nobody
    // knows: anything of this data dir (log file, marker, cgroup) that is not supervised goes.
    const supervised = [...this.instances.values()].map((i) => i.localRecord);
    await killOrphans(this.dataDir, {
      logPaths: new Set(supervised.map((record) => record.handle.logPath)),
      instanceIds: new Set(supervised.map((record) => record.instanceId)),
    });
    return { adopted, lost };
  }

  /** The local runtime shows an instance's process id. */
  describe(record: InstanceRecord): InstanceDetails {
    const local = asLocalRecord(record);
    return local ? { pid: local.handle.pid } : {};
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
      this.instances.get(instanceId)?.localRecord.handle.logPath ??
      this.logPaths.get(instanceId) ??
      (await findInstanceLog(this.dataDir, instanceId));
    return path === undefined ? [] : tailFile(path, lines);
  }

  async detach(): Promise<void> {
    this.detached = true;
    clearInterval(this.scanner);
    await Promise.allSettled(this.pendingStarts.values());
    await Promise.all([...this.instances.values()].map((instance) => instance.detach()));
    this.instances.clear();
    // Kept while instances run on in it (they outlive the server); the next server reuses it.
    if (this.cgroupBase) removeCgroupBase(this.cgroupBase);
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

  verifyRelease(
    release: Pick<InstanceSpec, 'service' | 'environment' | 'artifactDigest'>,
  ): Promise<void> {
    return this.releases.verify(
      release.service,
      release.environment,
      release.artifactDigest,
      this.artifactPath(release.artifactDigest),
    );
  }

  private assertAttached(): void {
    if (this.detached) throw new FerryError('conflict', 'the local runtime was detached');
  }

  /**
   * Adopts the instance of a record when its process still runs (same pid and start ticks);
   * otherwise kills what is left of it and resolves false.
   */
  private async adoptOne(spec: InstanceSpec, stored: LocalRecord): Promise<boolean> {
    const id = spec.instanceId;
    // Where the log is follows from the data folder; records of older servers hold paths
    // relative to their working directory, which /proc never shows.
    const logPath = instanceLogPath(this.dataDir, spec.service, spec.environment, id);
    const record = { ...stored, handle: { ...stored.handle, logPath } };
    const { pid, pidStartTicks } = record.handle;
    this.rememberLog(id, logPath);
    const stat = readProcStat(pid);
    const same = stat !== undefined && stat.startTicks === pidStartTicks;
    const processes = this.processesOf(id);
    if (same && stat.state !== 'Z') {
      const instance = SupervisedInstance.adopted(this.context, spec, record, processes);
      this.track(instance);
      instance.announce();
      return true;
    }
    // Kill what is left of it (a server that outlived its shell, a detached child), but not
    // the group if the pid now belongs to another process: then the group id is someone else's.
    processes.attach({ ...record.handle, pidStartTicks: 0 }, stat === undefined || same);
    await processes.killAll(killWaitMs);
    return false;
  }

  private async allocateAndSpawn(
    spec: InstanceSpec,
    processes: InstanceProcesses,
  ): Promise<SpawnedInstance> {
    return this.spawn(spec, await allocatePort(), processes);
  }

  /** Users by name, looked up once: a start should not wait on `getent` every time. */
  private lookupUser(name: string): InstanceUser {
    let user = this.users.get(name);
    if (!user) {
      user = lookupUser(name);
      this.users.set(name, user);
    }
    return user;
  }

  private processesOf(instanceId: string): InstanceProcesses {
    const cgroup = this.cgroupBase && new InstanceCgroup(this.cgroupBase, instanceId);
    return new InstanceProcesses(this.key, instanceId, cgroup);
  }

  /** One /proc snapshot for all instances: each records the descendants it has now. */
  private recordDescendants(): void {
    if (this.instances.size === 0) return;
    const table = listProcesses();
    for (const instance of this.instances.values()) instance.processes.record(table);
  }

  private async spawn(
    spec: InstanceSpec,
    port: number,
    processes: InstanceProcesses,
  ): Promise<SpawnedInstance> {
    const user = instanceUser(spec.user, (name) => this.lookupUser(name));
    const releaseDir = await this.releases.ensure(
      spec.service,
      spec.environment,
      spec.artifactDigest,
      this.artifactPath(spec.artifactDigest),
    );
    const serverUid = process.getuid?.();
    const serverGid = process.getgid?.();
    if (serverUid !== undefined && serverGid !== undefined) {
      await grantReleaseAccess(releaseDir, { uid: serverUid, gid: user?.gid ?? serverGid });
    }
    if (user) assertReachable(releaseDir, user);
    const logPath = instanceLogPath(this.dataDir, spec.service, spec.environment, spec.instanceId);
    return spawnInstance({ spec, releaseDir, port, logPath, processes, ...(user ? { user } : {}) });
  }

  private track(instance: SupervisedInstance): void {
    const { instanceId, handle } = instance.localRecord;
    this.instances.set(instanceId, instance);
    this.rememberLog(instanceId, handle.logPath);
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
