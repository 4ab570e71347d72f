import type { RuntimeEvent } from '../instances/instance-runtime.js';
import type { StoredInstance } from '../instances/instance.js';
import type { InstanceFailure } from './domain/conditions.js';
import type { Deployment } from './domain/deployment.js';
import type { RolloutRouting } from './domain/rollout-plan.js';
import { abortable, progressed, recordCondition } from './domain/transitions.js';
import { DeploymentWriter } from './deployment-writer.js';
import { RouterSync } from './router-sync.js';
import { ReconcileLoop } from './reconcile/reconcile-loop.js';
import { scopeKey, type ControllerDeps } from './reconcile/controller-deps.js';
import { InstanceActuator } from './reconcile/instance-actuator.js';
import type { ReconcileEnv, ReconcileStep } from './reconcile/reconcile-env.js';
import { reconcileAnalysisRuns, reconcileConditions } from './reconcile/reconcile-conditions.js';
import { reconcileAwaitingApproval } from './reconcile/reconcile-awaiting-approval.js';
import { reconcileMigrations } from './reconcile/reconcile-migrations.js';
import { reconcileRolling } from './reconcile/reconcile-rolling.js';
import { haltStopped, reconcileStopped } from './reconcile/reconcile-stopped.js';
import { reconcileTwoVersions } from './reconcile/reconcile-two-versions.js';
import { classify, readRolloutContext, smokeOf } from './reconcile/rollout-context.js';
import { recover } from './reconcile/recovery.js';
import { onRuntimeEvent } from './reconcile/runtime-events.js';

export type { ControllerDeps } from './reconcile/controller-deps.js';

/**
 * The steps of every reconcile, in order; the first that has done this reconcile's work ends it
 * (see `ReconcileStep`). The rolling step takes whatever no step before it took.
 */
const reconcileSteps: readonly ReconcileStep[] = [
  reconcileStopped,
  reconcileAwaitingApproval,
  reconcileMigrations,
  reconcileAnalysisRuns,
  reconcileConditions,
  reconcileTwoVersions,
  reconcileRolling,
];

/**
 * The reconciler. Reads desired state (the newest deployment of each service/environment) and
 * actual state (instances in the store and the runtime) into one context, runs the reconcile
 * steps on it, and persists each change through the one deployment writer. Every step is written
 * before it is carried out, so the process can die at any instant and the next controller picks
 * up from the store: instances still alive are re-adopted, the rest replaced.
 */
export class DeploymentController {
  private readonly env: ReconcileEnv;
  private readonly actuator: InstanceActuator;
  private readonly routerSync: RouterSync;
  private readonly loop: ReconcileLoop;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: ControllerDeps) {
    this.routerSync = new RouterSync({
      ...deps,
      admits: (instance, latest) => smokeOf(deps, instance, latest).state === 'passed',
    });
    this.actuator = new InstanceActuator(deps, this.routerSync, {
      progressed: (instance) => this.progressed(instance),
      launchFailed: (deployment, instanceId, error) =>
        this.recordFailure(deployment, deployment.id, {
          kind: 'launchFailed',
          instanceId,
          error: String(error),
        }),
      wake: () => this.wake(),
    });
    const writer = new DeploymentWriter(deps.deployments, deps.events, deps.clock);
    this.env = {
      deps,
      writer,
      actuator: this.actuator,
      routerSync: this.routerSync,
      steps: new Map(),
      migrated: new Map(),
      routeFailuresSaid: new Set(),
      rollbackStallsSaid: new Set(),
      transit: async (deployment, transition) => {
        await writer.apply(deployment, transition);
        this.wake();
      },
    };
    this.loop = new ReconcileLoop(deps, () => this.reconcileAll());
  }

  /** Re-adopts what an earlier server left running, then starts reconciling. */
  async start(): Promise<void> {
    this.unsubscribe = this.deps.runtime.onEvent((event) => {
      this.actuator.track(this.onRuntimeEvent(event));
    });
    await recover(this.deps, this.actuator);
    this.loop.start();
  }

  /** Stops reconciling. Instances keep running: the next server re-adopts them. */
  async stop(): Promise<void> {
    await this.loop.stop();
    this.unsubscribe?.();
    await this.actuator.settled();
  }

  /** The traffic split the controller applies for a two-version rollout, if one runs. */
  routingOf(deployment: Deployment): RolloutRouting | undefined {
    return this.routerSync.routingOf(deployment);
  }

  /** Reconciles one service/environment now, e.g. so an abort's new split is in place on return. */
  async reconcileNow(scope: { service: string; environment: string }): Promise<void> {
    const latest = (await this.deps.deployments.list(scope, 1))[0];
    if (latest) await this.reconcile(latest);
  }

  /**
   * Stops every instance of a stopped service/environment and closes its route, as every
   * reconcile of it does (after a restart, say); resolves once those instances have stopped.
   */
  async halt(scope: { service: string; environment: string }): Promise<void> {
    const { actuator } = this;
    for (;;) {
      const { stopping, launching } = await this.deps.locks.run(scopeKey(scope), async () => {
        const latest = (await this.deps.deployments.list(scope, 1))[0];
        if (!latest || !(await this.deps.stops.get(scope)))
          return { stopping: [], launching: false };
        const planned = await classify(this.deps, actuator, latest);
        return {
          stopping: await haltStopped(this.env, latest, planned),
          launching: planned.some(
            (p) => actuator.busy.has(p.instance.id) && !actuator.retiring.has(p.instance.id),
          ),
        };
      });
      await Promise.all(stopping);
      // An instance still starting is retired once its start ends: wait for that, then again.
      if (!launching) return;
      await Promise.race(actuator.operations);
    }
  }

  /** Asks for a reconcile as soon as possible (a deployment was created, an instance changed). */
  wake(): void {
    this.loop.wake();
  }

  /** A new instance passed its smoke checks: recorded, so a restart does not check it again. */
  async onSmokePassed(instanceId: string): Promise<void> {
    const now = new Date(this.deps.clock.now()).toISOString();
    await this.deps.instances.update(instanceId, { smokePassedAt: now, updatedAt: now });
    this.wake();
  }

  /** A new instance failed its smoke checks: the rollout that started it stops. */
  async onSmokeFailed(instanceId: string, message: string): Promise<void> {
    const stored = await this.deps.instances.get(instanceId);
    if (!stored) return;
    await this.recordFailure(stored, stored.deploymentId, {
      kind: 'smokeFailed',
      instanceId,
      message,
    });
  }

  private async reconcileAll(): Promise<void> {
    for (const latest of await this.deps.deployments.listLatest()) {
      await this.reconcile(latest);
    }
  }

  private reconcile(latest: Deployment): Promise<void> {
    return this.deps.locks.run(scopeKey(latest), async () => {
      const context = await readRolloutContext(this.deps, this.actuator, latest);
      for (const step of reconcileSteps) {
        if (await step(context, this.env)) return;
      }
    });
  }

  private onRuntimeEvent(event: RuntimeEvent): Promise<void> {
    return onRuntimeEvent(
      this.env,
      event,
      (instance) => this.progressed(instance),
      async (instance, failure) => {
        // A crash loop ends the rollout of the artifact that crash-loops.
        const latest = (await this.deps.deployments.list(instance, 1))[0];
        if (latest?.artifactDigest === instance.artifactDigest) {
          await this.recordFailure(instance, latest.id, failure);
        }
      },
    ).finally(() => this.wake());
  }

  /**
   * Records an instance failure on deployment `deploymentId` if it is the newest of its
   * service/environment and still in progress; the next reconcile aborts it.
   */
  private async recordFailure(
    scope: { readonly service: string; readonly environment: string },
    deploymentId: string,
    failure: InstanceFailure,
  ): Promise<void> {
    await this.deps.locks.run(scopeKey(scope), async () => {
      const latest = (await this.deps.deployments.list(scope, 1))[0];
      if (!latest || latest.id !== deploymentId || !abortable(latest)) return;
      const at = new Date(this.deps.clock.now()).toISOString();
      await this.env.writer.apply(latest, recordCondition(latest, { at, cause: failure }));
    });
    this.wake();
  }

  /** An instance stopped or became ready: the rollout in progress made progress. */
  private async progressed(instance: StoredInstance): Promise<void> {
    const latest = (await this.deps.deployments.list(instance, 1))[0];
    if (latest?.phase === 'Progressing' || latest?.phase === 'RollingBack') {
      await this.env.writer.apply(latest, progressed(this.deps.clock.now()));
    }
  }
}
