import { newId } from '../../../shared/ids.js';
import type { InstanceSpec } from '../../instances/instance-runtime.js';
import type { StoredInstance } from '../../instances/instance.js';
import type { Deployment } from '../domain/deployment.js';
import type { RolloutTarget } from '../domain/rollout-target.js';
import type { RouterSync } from '../router-sync.js';
import type { ControllerDeps } from './controller-deps.js';

/** What the actuator tells the controller: progress, a failed launch, a finished operation. */
export interface ActuatorEvents {
  /** An instance stopped: the progress deadline of its service's rollout starts over. */
  progressed(instance: StoredInstance): Promise<void>;
  /** An instance could not be started: the rollout that asked for it records a condition. */
  launchFailed(deployment: Deployment, instanceId: string, error: unknown): Promise<void>;
  /** Something changed: reconcile soon. */
  wake(): void;
}

/**
 * Starts and retires instances. Each is written to the store before it is carried out, so a
 * server that dies half-way finds it on restart: a launch without a process record is marked
 * stopped, a retirement under way (`draining`) is resumed. Operations run detached; the actuator
 * keeps track of them so a stop of the controller waits for them.
 */
export class InstanceActuator {
  /** Instances being started or retired: no one else touches them meanwhile. */
  readonly busy = new Set<string>();
  /** Retirements under way, by instance id: a halt waits for those another reconcile began. */
  readonly retiring = new Map<string, Promise<void>>();
  readonly operations = new Set<Promise<void>>();

  constructor(
    private readonly deps: ControllerDeps,
    private readonly routerSync: RouterSync,
    private readonly events: ActuatorEvents,
  ) {}

  /** Starts one instance of `target` for `deployment`. */
  async launch(deployment: Deployment, target: RolloutTarget): Promise<void> {
    const { clock, instances, runtime } = this.deps;
    const now = new Date(clock.now()).toISOString();
    const spec = this.specOf(deployment, target);
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
          await this.events.launchFailed(deployment, id, error);
        } finally {
          this.busy.delete(id);
          this.events.wake();
        }
      })(),
    );
  }

  private specOf(deployment: Deployment, target: RolloutTarget): InstanceSpec {
    const now = this.deps.clock.now();
    const local = target.spec.runtime.local;
    return {
      instanceId: newId(`${deployment.service}-${deployment.environment}`, now),
      service: deployment.service,
      environment: deployment.environment,
      version: target.version,
      artifactDigest: target.artifactDigest,
      command: local.command,
      cwd: local.cwd,
      env: local.env,
      ...(local.user === undefined ? {} : { user: local.user }),
      readiness: target.spec.health.readiness,
      ...(target.spec.health.liveness ? { liveness: target.spec.health.liveness } : {}),
      drainTimeoutMs: target.spec.drainTimeoutMs,
      ...(target.spec.websocketDrainMs === undefined
        ? {}
        : { websocketDrainMs: target.spec.websocketDrainMs }),
    };
  }

  /** Retires the instances with these ids that nothing else is starting or retiring. */
  retireAll(instances: readonly StoredInstance[], ids: readonly string[]): void {
    for (const id of ids) {
      const instance = instances.find((i) => i.id === id);
      if (instance && !this.busy.has(id)) this.retireTracked(instance);
    }
  }

  /** `retire`, tracked, and findable by instance id until it ends. */
  retireTracked(instance: StoredInstance): Promise<void> {
    const retirement = this.track(this.retire(instance));
    this.retiring.set(instance.id, retirement);
    void retirement.finally(() => this.retiring.delete(instance.id));
    return retirement;
  }

  /** Out of rotation, in-flight requests finished, then a graceful stop. */
  private async retire(instance: StoredInstance): Promise<void> {
    const { instances, router, runtime, clock } = this.deps;
    this.busy.add(instance.id);
    this.routerSync.exclude(instance.id);
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
      await this.routerSync.sync(instance);
      // Tunnels (WebSocket) are closed after `drain.websockets`: idle ones do not hold the stop.
      await router.drain(instance.id, instance.spec.drainTimeoutMs, instance.spec.websocketDrainMs);
      await runtime.stop(instance.id);
      await this.markStopped(instance, null);
      await this.events.progressed(instance);
    } finally {
      this.busy.delete(instance.id);
      this.routerSync.include(instance.id);
      this.events.wake();
    }
  }

  /** Records an instance as stopped; with a reason, tells why it was lost. */
  async markStopped(instance: StoredInstance, reason: string | null): Promise<void> {
    this.deps.smoke?.forget(instance.id);
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

  /** Runs `operation` detached, logging a failure, until `settled` waits for it. */
  track(operation: Promise<void>): Promise<void> {
    const guarded = operation.catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'controller operation failed');
    });
    this.operations.add(guarded);
    void guarded.finally(() => this.operations.delete(guarded));
    return guarded;
  }

  /** Resolves once every operation under way has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.operations]);
  }
}
