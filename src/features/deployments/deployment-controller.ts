import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import type { EventLog } from '../events/event-log.js';
import type { InstanceRuntime, InstanceSpec, RuntimeEvent } from '../instances/instance-runtime.js';
import type { StoredInstance } from '../instances/instance.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { TrafficRouter } from '../routing/traffic-router.js';
import { routingTableFor } from './routing-table-for.js';
import type { Deployment } from './domain/deployment.js';
import { planRollingStep, type PlannedInstance } from './domain/rolling-plan.js';
import { rolloutTarget, type RolloutTarget } from './domain/rollout-target.js';
import type { DeploymentStore } from './deployment-store.js';

export interface ControllerDeps {
  readonly deployments: DeploymentStore;
  readonly instances: InstanceStore;
  readonly runtime: InstanceRuntime;
  readonly router: TrafficRouter;
  readonly events: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the tarball of an artifact lives. */
  readonly artifactPath: (digest: string) => string;
  /** How many recent releases of a service stay unpacked for a fast rollback. Default 5. */
  readonly releasesToKeep?: number;
  /** Reconcile period when nothing wakes the loop. Default 250ms. */
  readonly tickMs?: number;
}

/**
 * The reconciler. Reads desired state (the newest deployment of each service/environment) and
 * actual state (instances in the store and the runtime), takes the next step, persists it.
 * Every step is written before it is carried out, so the process can die at any instant and
 * the next controller picks up from the store: instances still alive are re-adopted, the rest
 * replaced.
 */
export class DeploymentController {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeRequested = false;
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private readonly busy = new Set<string>();
  /** Instances leaving rotation: never put back into a routing table, whatever the store says. */
  private readonly retiring = new Set<string>();
  private readonly routerSyncs = new KeyedQueue();
  private readonly operations = new Set<Promise<void>>();
  private readonly appliedTables = new Map<string, string>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: ControllerDeps) {}

  /** Re-adopts what an earlier server left running, then starts reconciling. */
  async start(): Promise<void> {
    this.unsubscribe = this.deps.runtime.onEvent((event) => {
      this.track(this.onRuntimeEvent(event));
    });
    await this.recover();
    this.running = true;
    this.loop = this.run();
  }

  /** Stops reconciling. Instances keep running: the next server re-adopts them. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.unsubscribe?.();
    await Promise.allSettled([...this.operations]);
  }

  /** Asks for a reconcile as soon as possible (a deployment was created, an instance changed). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeLoop?.();
  }

  private async run(): Promise<void> {
    const tickMs = this.deps.tickMs ?? 250;
    while (this.running) {
      this.wakeRequested = false;
      try {
        await this.reconcileAll();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'reconcile failed');
      }
      if (!this.running) break;
      if (this.wakeRequested) continue;
      await new Promise<void>((resolve) => {
        this.wakeLoop = resolve;
        this.timer = setTimeout(resolve, tickMs);
      });
      clearTimeout(this.timer);
      this.wakeLoop = undefined;
    }
  }

  private async recover(): Promise<void> {
    const live = await this.deps.instances.listLive();
    const withProcess = live.filter((i) => i.record !== null);
    for (const orphan of live.filter((i) => i.record === null)) {
      await this.markStopped(orphan, 'never started: the server stopped while launching it');
    }
    const { lost } = await this.deps.runtime.adopt(
      withProcess.map((i) => ({ spec: i.spec, record: i.record! })),
    );
    for (const id of lost) {
      const instance = withProcess.find((i) => i.id === id);
      if (instance) await this.markStopped(instance, 'process gone after server restart');
    }
    await this.settleAdopted(withProcess.filter((i) => !lost.includes(i.id)));
  }

  /**
   * Adopted instances start unprobed. Give each the time of its readiness checks to show it is
   * ready, so the first reconcile neither stops healthy old instances nor routes to nothing.
   */
  private async settleAdopted(adopted: readonly StoredInstance[]): Promise<void> {
    const budget = Math.max(
      0,
      ...adopted.map(
        ({ spec: { readiness: r } }) =>
          r.initialDelayMs + (r.intervalMs + r.timeoutMs) * r.successThreshold,
      ),
    );
    const deadline = this.deps.clock.now() + Math.min(budget, 15_000);
    const unsettled = () => adopted.some((i) => this.deps.runtime.get(i.id)?.phase === 'starting');
    while (unsettled() && this.deps.clock.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async reconcileAll(): Promise<void> {
    for (const latest of await this.deps.deployments.listLatest()) {
      await this.reconcile(latest);
    }
  }

  private async reconcile(latest: Deployment): Promise<void> {
    const { deployments, instances, clock } = this.deps;
    const previous = latest.previousId ? await deployments.get(latest.previousId) : undefined;
    const target = rolloutTarget(latest, previous);
    const scope = { service: latest.service, environment: latest.environment };
    const live = await instances.listLive(scope);

    const planned: { instance: StoredInstance; planned: PlannedInstance }[] = [];
    for (const instance of live) {
      const state = this.plannedState(instance);
      if (state === 'lost') {
        await this.markStopped(instance, 'process no longer known to the runtime');
        continue;
      }
      if (instance.intent === 'draining' && !this.busy.has(instance.id)) {
        this.track(this.retire(instance));
      }
      planned.push({ instance, planned: { id: instance.id, state } });
    }
    await this.syncRouter(scope);

    const isTarget = (i: StoredInstance) =>
      target !== null && i.artifactDigest === target.artifactDigest;
    const plan = planRollingStep({
      replicas: target ? target.spec.runtime.local.replicas : 0,
      rolling:
        target?.spec.strategy.kind === 'rolling'
          ? target.spec.strategy.rolling
          : { maxSurge: 1, maxUnavailable: 0 },
      target: planned.filter((p) => isTarget(p.instance)).map((p) => p.planned),
      others: planned.filter((p) => !isTarget(p.instance)).map((p) => p.planned),
    });

    for (const id of plan.stop) {
      const instance = live.find((i) => i.id === id);
      if (instance && !this.busy.has(id)) this.track(this.retire(instance));
    }
    if (target) {
      for (let k = 0; k < plan.start; k++) await this.launch(latest, target);
    }

    const now = clock.now();
    if (plan.done && latest.phase === 'Progressing') {
      await this.finish(latest, 'Succeeded', null);
      await this.deps.runtime.pruneReleases?.(
        latest.service,
        latest.environment,
        await this.recentDigests(latest),
      );
    } else if (plan.done && latest.phase === 'RollingBack') {
      await this.finish(latest, 'RolledBack', latest.reason);
    } else if (
      latest.phase === 'Progressing' &&
      now - Date.parse(latest.lastProgressAt) > latest.spec.progressDeadlineMs
    ) {
      const ready = planned.filter((p) => isTarget(p.instance) && p.planned.state === 'ready');
      await this.fail(
        latest,
        `no progress within the progress deadline (${latest.spec.progressDeadlineMs}ms): ` +
          `${ready.length}/${latest.spec.runtime.local.replicas} new instances ready`,
      );
    }
  }

  private plannedState(instance: StoredInstance): PlannedInstance['state'] | 'lost' {
    if (instance.intent === 'draining') return 'stopping';
    if (instance.intent === 'launching') return this.busy.has(instance.id) ? 'pending' : 'lost';
    const status = this.deps.runtime.get(instance.id);
    if (!status) return this.busy.has(instance.id) ? 'pending' : 'lost';
    if (status.phase === 'stopping' || status.phase === 'stopped') return 'stopping';
    return status.phase === 'ready' ? 'ready' : 'pending';
  }

  /**
   * Sends traffic to every ready instance that is not leaving. Syncs of one service/environment
   * run one after the other and each reads fresh state, so an older table never wins.
   */
  private syncRouter(scope: { service: string; environment: string }): Promise<void> {
    return this.routerSyncs.run(`${scope.service}/${scope.environment}`, () =>
      this.applyTable(scope),
    );
  }

  private async applyTable(scope: { service: string; environment: string }): Promise<void> {
    const { deployments, instances, runtime, router } = this.deps;
    const latest = (await deployments.list(scope, 1))[0];
    if (!latest) return;
    const previous = latest.previousId ? await deployments.get(latest.previousId) : undefined;
    const target = rolloutTarget(latest, previous);
    const upstreams = (await instances.listLive(scope)).flatMap((i) => {
      const status = runtime.get(i.id);
      if (i.intent !== 'running' || this.retiring.has(i.id) || status?.phase !== 'ready') return [];
      return [{ id: i.id, host: '127.0.0.1', port: status.record.port, version: i.version }];
    });
    const table = routingTableFor(latest, upstreams, target?.spec);
    const key = `${scope.service}/${scope.environment}`;
    const signature = JSON.stringify(table);
    if (this.appliedTables.get(key) === signature) return;
    await router.apply(table);
    this.appliedTables.set(key, signature);
  }

  private async launch(deployment: Deployment, target: RolloutTarget): Promise<void> {
    const { clock, instances, runtime } = this.deps;
    const now = new Date(clock.now()).toISOString();
    const local = target.spec.runtime.local;
    const spec: InstanceSpec = {
      instanceId: newId(`${deployment.service}-${deployment.environment}`, clock.now()),
      service: deployment.service,
      environment: deployment.environment,
      version: target.version,
      artifactDigest: target.artifactDigest,
      artifactPath: this.deps.artifactPath(target.artifactDigest),
      command: local.command,
      cwd: local.cwd,
      env: local.env,
      readiness: target.spec.health.readiness,
      ...(target.spec.health.liveness ? { liveness: target.spec.health.liveness } : {}),
      drainTimeoutMs: target.spec.drainTimeoutMs,
    };
    const id = spec.instanceId;
    this.busy.add(id);
    await instances.insert({
      id,
      deploymentId: deployment.id,
      service: spec.service,
      environment: spec.environment,
      version: spec.version,
      artifactDigest: spec.artifactDigest,
      intent: 'launching',
      record: null,
      restarts: 0,
      spec,
      createdAt: now,
      updatedAt: now,
    });
    this.track(
      (async () => {
        try {
          const status = await runtime.start(spec);
          await instances.update(id, {
            intent: 'running',
            record: status.record,
            updatedAt: new Date(clock.now()).toISOString(),
          });
        } catch (error) {
          const stored = await instances.get(id);
          if (stored) await this.markStopped(stored, `failed to start: ${String(error)}`);
          const current = await this.deps.deployments.get(deployment.id);
          if (current?.phase === 'Progressing') {
            await this.fail(current, `instance ${id} failed to start: ${String(error)}`);
          }
        } finally {
          this.busy.delete(id);
          this.wake();
        }
      })(),
    );
  }

  /** Out of rotation, in-flight requests finished, then a graceful stop. */
  private async retire(instance: StoredInstance): Promise<void> {
    const { instances, router, runtime, clock } = this.deps;
    this.busy.add(instance.id);
    this.retiring.add(instance.id);
    try {
      if (instance.intent !== 'draining') {
        await instances.update(instance.id, {
          intent: 'draining',
          updatedAt: new Date(clock.now()).toISOString(),
        });
        await this.deps.events.append({
          actor: 'controller',
          kind: 'instance.draining',
          subject: `instance/${instance.id}`,
          payload: {
            service: instance.service,
            environment: instance.environment,
            version: instance.version,
          },
        });
      }
      await this.syncRouter(instance);
      await router.drain(instance.id, instance.spec.drainTimeoutMs);
      await runtime.stop(instance.id);
      await this.markStopped(instance, null);
      await this.progressed(instance);
    } finally {
      this.busy.delete(instance.id);
      this.retiring.delete(instance.id);
      this.wake();
    }
  }

  private async markStopped(instance: StoredInstance, reason: string | null): Promise<void> {
    await this.deps.instances.update(instance.id, {
      intent: 'stopped',
      updatedAt: new Date(this.deps.clock.now()).toISOString(),
    });
    if (reason) {
      await this.deps.events.append({
        actor: 'controller',
        kind: 'instance.lost',
        subject: `instance/${instance.id}`,
        payload: { service: instance.service, environment: instance.environment, reason },
      });
    }
  }

  private async finish(
    deployment: Deployment,
    phase: 'Succeeded' | 'RolledBack' | 'Failed',
    reason: string | null,
  ): Promise<void> {
    const now = new Date(this.deps.clock.now()).toISOString();
    await this.deps.deployments.update(deployment.id, {
      phase,
      reason,
      finishedAt: now,
      updatedAt: now,
    });
    await this.deps.events.append({
      actor: 'controller',
      kind: `deployment.${phase.toLowerCase()}`,
      subject: `deployment/${deployment.id}`,
      payload: {
        service: deployment.service,
        environment: deployment.environment,
        version: deployment.version,
        phase,
        reason,
      },
    });
  }

  /** A failed rollout goes back to the previous deployment, or stops if there is none. */
  private async fail(deployment: Deployment, reason: string): Promise<void> {
    if (deployment.phase !== 'Progressing') return;
    if (!deployment.previousId) {
      await this.finish(deployment, 'Failed', reason);
      return;
    }
    const now = new Date(this.deps.clock.now()).toISOString();
    await this.deps.deployments.update(deployment.id, {
      phase: 'RollingBack',
      reason,
      updatedAt: now,
    });
    await this.deps.events.append({
      actor: 'controller',
      kind: 'deployment.rolling_back',
      subject: `deployment/${deployment.id}`,
      payload: {
        service: deployment.service,
        environment: deployment.environment,
        version: deployment.version,
        reason,
      },
    });
    this.wake();
  }

  private async progressed(instance: StoredInstance): Promise<void> {
    const scope = { service: instance.service, environment: instance.environment };
    const latest = (await this.deps.deployments.list(scope, 1))[0];
    if (latest?.phase === 'Progressing') {
      const now = new Date(this.deps.clock.now()).toISOString();
      await this.deps.deployments.update(latest.id, { lastProgressAt: now, updatedAt: now });
    }
  }

  private async onRuntimeEvent(event: RuntimeEvent): Promise<void> {
    const { status } = event;
    const id = status.spec.instanceId;
    const now = new Date(this.deps.clock.now()).toISOString();
    const { kind, status: _status, ...details } = event;
    if (kind === 'instance.started' || kind === 'instance.adopted') {
      const stored = await this.deps.instances.get(id);
      if (stored && stored.intent !== 'stopped') {
        await this.deps.instances.update(id, {
          record: status.record,
          restarts: status.restarts,
          updatedAt: now,
        });
      }
    }
    await this.deps.events.append({
      actor: 'runtime',
      kind,
      subject: `instance/${id}`,
      payload: {
        service: status.spec.service,
        environment: status.spec.environment,
        version: status.spec.version,
        pid: status.record.pid,
        port: status.record.port,
        restarts: status.restarts,
        ...details,
      },
    });
    const stored = await this.deps.instances.get(id);
    if (stored && (kind === 'instance.ready' || kind === 'instance.unready')) {
      await this.syncRouter(stored);
    }
    if (stored && kind === 'instance.ready') await this.progressed(stored);
    if (stored && kind === 'instance.crash_loop') {
      const scope = { service: stored.service, environment: stored.environment };
      const latest = (await this.deps.deployments.list(scope, 1))[0];
      if (latest?.phase === 'Progressing' && latest.artifactDigest === stored.artifactDigest) {
        await this.fail(latest, `instance ${id} is crash-looping (${status.restarts} restarts)`);
      }
    }
    this.wake();
  }

  private async recentDigests(latest: Deployment): Promise<string[]> {
    const keep = this.deps.releasesToKeep ?? 5;
    const history = await this.deps.deployments.list(latest, 50);
    const digests: string[] = [];
    for (const d of history) {
      if (d.phase === 'Succeeded' && !digests.includes(d.artifactDigest))
        digests.push(d.artifactDigest);
      if (digests.length >= keep) break;
    }
    return digests;
  }

  private track(operation: Promise<void>): void {
    const guarded = operation.catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'controller operation failed');
    });
    this.operations.add(guarded);
    void guarded.finally(() => this.operations.delete(guarded));
  }
}
