import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import type { EventLog } from '../events/event-log.js';
import { describeProbe } from '../instances/describe-probe.js';
import type { InstanceRuntime, InstanceSpec, RuntimeEvent } from '../instances/instance-runtime.js';
import type { StoredInstance } from '../instances/instance.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { TrafficRouter } from '../routing/traffic-router.js';
import { RouterSync } from './router-sync.js';
import { planBlueGreen } from './domain/blue-green-plan.js';
import { planCanary } from './domain/canary-plan.js';
import { planFastRollback } from './domain/fast-rollback-plan.js';
import type { RolloutInput, RolloutRouting } from './domain/rollout-plan.js';
import type { RolloutState } from './domain/rollout-state.js';
import type { Deployment } from './domain/deployment.js';
import { planRollingStep, type PlannedInstance } from './domain/rolling-plan.js';
import { rolloutTarget, type RolloutTarget } from './domain/rollout-target.js';
import type { DeploymentStore } from './deployment-store.js';
import type { StopStore } from './stop-store.js';
import { twoVersionPhases } from './domain/deployment.js';
import { gatesOf } from './domain/analysis-gates.js';
import type { GateState, RolloutAnalysis } from './rollout-analysis.js';
import type { SmokeChecks, SmokeStatus } from './smoke-checks.js';
import { formatDuration } from '../../config/duration.js';
import { isBaselineInstance } from './domain/rollout-steps.js';
import { countUpTime, waitsOnTime } from './domain/up-time.js';
import { stepGateName, stepWaitsOnTime } from './domain/step-kinds.js';
import { pauseReasonPrefixes } from './domain/pause-reasons.js';
import { ReconcileBackoff, type BackoffDecision } from './reconcile-backoff.js';

export interface ControllerDeps {
  readonly deployments: DeploymentStore;
  readonly instances: InstanceStore;
  /** Services a person stopped: nothing of them runs and their routes stay closed. */
  readonly stops: StopStore;
  readonly runtime: InstanceRuntime;
  readonly router: TrafficRouter;
  readonly events: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How many recent releases of a service stay unpacked for a fast rollback. Default 5. */
  readonly releasesToKeep?: number;
  /** Reconcile period when nothing wakes the loop. Default 250ms. */
  readonly tickMs?: number;
  /**
   * One change at a time per service/environment (key `service/environment`), shared with the
   * API's deployment and rollout commands so they never overwrite each other's state.
   */
  readonly locks: ScopeLock;
  /** Runs the rollouts' analysis; without it, analysis settings are not acted on. */
  readonly analysis?: RolloutAnalysis;
  /** Smoke checks of new instances before they get traffic; without it, `smoke` is not run. */
  readonly smoke?: SmokeChecks;
}

interface Planned {
  readonly instance: StoredInstance;
  readonly planned: PlannedInstance;
}

/** How the reason of a deployment paused by an Inconclusive verdict begins. */
const analysisPausePrefix = pauseReasonPrefixes.analysis;

function allPassed(states: ReadonlyMap<string, GateState>): boolean {
  return [...states.values()].every((state) => state.state === 'passed');
}

function keyOf(target: { readonly service: string; readonly environment: string }): string {
  return `${target.service}/${target.environment}`;
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
  /** Retirements under way, by instance id: a halt waits for those another reconcile began. */
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly operations = new Set<Promise<void>>();
  private readonly routerSync: RouterSync;
  private unsubscribe: (() => void) | undefined;
  /** The step each two-version rollout is at, recorded with its measurements. */
  private readonly steps = new Map<string, number>();
  /** Route failures already told in an event, by deployment and message. */
  private readonly routeFailuresSaid = new Set<string>();

  constructor(private readonly deps: ControllerDeps) {
    this.routerSync = new RouterSync({
      ...deps,
      admits: (instance, latest) => this.smokeOf(instance, latest).state === 'passed',
    });
  }

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
    for (;;) {
      const { stopping, launching } = await this.deps.locks.run(keyOf(scope), async () => {
        const latest = (await this.deps.deployments.list(scope, 1))[0];
        if (!latest || !(await this.deps.stops.get(scope)))
          return { stopping: [], launching: false };
        const planned = await this.classify(latest);
        return {
          stopping: await this.haltStopped(latest, planned),
          launching: planned.some(
            (p) => this.busy.has(p.instance.id) && !this.retiring.has(p.instance.id),
          ),
        };
      });
      await Promise.all(stopping);
      // An instance still starting is retired once its start ends: wait for that, then again.
      if (!launching) return;
      await Promise.race(this.operations);
    }
  }

  /** Asks for a reconcile as soon as possible (a deployment was created, an instance changed). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeLoop?.();
  }

  /**
   * The loop. While reconciles fail (a full disk, say) it backs off exponentially and reports
   * once per period rather than once per tick; wakes do not cut a backoff short, only a stop.
   */
  private async run(): Promise<void> {
    const backoff = new ReconcileBackoff({ tickMs: this.deps.tickMs ?? 250 });
    while (this.running) {
      this.wakeRequested = false;
      let next: BackoffDecision;
      try {
        await this.reconcileAll();
        next = backoff.succeeded();
      } catch (error) {
        next = backoff.failed(error, this.deps.clock.now());
      }
      if (next.report?.level === 'error') {
        this.deps.logger.error({ err: next.report.error }, next.report.message);
      } else if (next.report) this.deps.logger.info(next.report.message);
      if (!this.running) break;
      if (this.wakeRequested && !next.backingOff) continue;
      await new Promise<void>((resolve) => {
        this.wakeLoop = next.backingOff
          ? () => {
              if (!this.running) resolve();
            }
          : resolve;
        this.timer = setTimeout(resolve, next.delayMs);
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
    // Their `instance.ready` events put them back into the routers: only then is the server
    // ready, or the first requests after /readyz find a route not listening yet.
    await Promise.allSettled([...this.operations]);
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

  private reconcile(latest: Deployment): Promise<void> {
    return this.deps.locks.run(keyOf(latest), async () => {
      // Re-read under the lock: an API command may have changed it since the listing.
      const current = (await this.deps.deployments.get(latest.id)) ?? latest;
      const previous = current.previousId
        ? await this.deps.deployments.get(current.previousId)
        : undefined;
      const planned = await this.classify(current);
      if (await this.deps.stops.get(current)) {
        await this.haltStopped(current, planned);
        return;
      }
      await this.deps.analysis?.supersede(current);
      if (current.phase !== 'Progressing' && current.phase !== 'Paused') {
        await this.deps.analysis?.abandon(current.id);
      }
      if (current.rollout && previous && twoVersionPhases.includes(current.phase)) {
        await this.reconcileTwoVersions(current, previous, planned);
      } else {
        this.routerSync.forget(current);
        await this.reconcileRolling(current, previous, planned);
      }
    });
  }

  /** Retires every instance not already on its way out; the router sync closes the route. */
  private async haltStopped(
    latest: Deployment,
    planned: readonly Planned[],
  ): Promise<Promise<void>[]> {
    this.routerSync.forget(latest);
    const stopping = planned.flatMap((p) => {
      const under = this.retiring.get(p.instance.id);
      if (under) return [under];
      return this.busy.has(p.instance.id) ? [] : [this.retireTracked(p.instance)];
    });
    await this.routerSync.sync(latest);
    return stopping;
  }

  /** Live instances with their planning state; forgets lost ones, resumes interrupted stops. */
  private async classify(latest: Deployment): Promise<Planned[]> {
    const live = await this.deps.instances.listLive(latest);
    const planned: Planned[] = [];
    for (const instance of live) {
      const state = this.plannedState(instance, latest);
      if (state === 'lost') {
        await this.markStopped(instance, 'process no longer known to the runtime');
        continue;
      }
      if (instance.intent === 'draining' && !this.busy.has(instance.id)) {
        this.retireTracked(instance);
      }
      planned.push({ instance, planned: { id: instance.id, state } });
    }
    return planned;
  }

  private async reconcileRolling(
    latest: Deployment,
    previous: Deployment | undefined,
    planned: readonly Planned[],
  ): Promise<void> {
    const target = rolloutTarget(latest, previous);
    await this.routerSync.sync(latest);
    if (await this.failOnRouteDown(latest)) return;
    const isTarget = (i: StoredInstance) =>
      target !== null && i.artifactDigest === target.artifactDigest;
    const plan = planRollingStep({
      replicas: target ? target.spec.replicas : 0,
      rolling:
        target?.spec.strategy.kind === 'rolling'
          ? target.spec.strategy.rolling
          : { maxSurge: 1, maxUnavailable: 0 },
      target: planned.filter((p) => isTarget(p.instance)).map((p) => p.planned),
      others: planned.filter((p) => !isTarget(p.instance)).map((p) => p.planned),
    });
    this.retireAll(planned, plan.stop);
    if (target) {
      for (let k = 0; k < plan.start; k++) await this.launch(latest, target);
    }

    if (plan.done && (latest.phase === 'Progressing' || latest.phase === 'Paused')) {
      const gates = this.gatesFor(latest, previous, { rolledOut: true, previewReady: false });
      const states = await this.checkGates(latest, gates);
      if (await this.applyVerdicts(latest, states)) return;
      if (latest.phase === 'Progressing' && allPassed(states)) await this.succeed(latest);
    } else if (plan.done && latest.phase === 'RollingBack') {
      await this.finish(latest, 'RolledBack', latest.reason);
    } else if (
      latest.phase === 'Progressing' &&
      !this.deps.analysis?.busy(latest.id) &&
      this.pastDeadline(latest)
    ) {
      const ready = planned.filter((p) => isTarget(p.instance) && p.planned.state === 'ready');
      await this.abort(latest, this.deadlineReason(latest, ready.length));
    }
  }

  /** A canary or blue-green: the previous version and the new one side by side. */
  private async reconcileTwoVersions(
    latest: Deployment,
    previous: Deployment,
    planned: readonly Planned[],
  ): Promise<void> {
    const now = this.deps.clock.now();
    const stableTarget = rolloutTarget(previous, undefined)!;
    const canaryTarget = rolloutTarget({ ...latest, phase: 'Progressing' }, undefined)!;
    // Baseline instances run the stable artifact but belong to this deployment.
    const isBaseline = (p: Planned) =>
      isBaselineInstance(p.instance, latest.id, stableTarget.artifactDigest);
    const of = (digest: string) =>
      planned
        .filter((p) => p.instance.artifactDigest === digest && !isBaseline(p))
        .map((p) => p.planned);
    const replicas = latest.spec.replicas;
    let state = latest.rollout!;
    const strategy = latest.spec.strategy;
    // A timed pause counts only the time Ferry was up: a first look after a restart gives it back
    // the time the server was down.
    if (latest.phase !== 'Aborted' && waitsOnTime(strategy, state)) {
      state = countUpTime(state, now, !this.steps.has(latest.id));
    }
    this.steps.set(latest.id, state.stepIndex);
    let analysisPending = false;
    if (latest.phase !== 'Aborted') {
      const previewReady =
        of(canaryTarget.artifactDigest).filter((i) => i.state === 'ready').length >= replicas;
      const gates = this.gatesFor(latest, previous, { rolledOut: false, previewReady });
      const states = await this.checkGates(latest, gates);
      if (await this.applyVerdicts(latest, states)) return;
      analysisPending = !allPassed(states);
      // A blocking step whose analysis passed is done: the planner carries on from the next one.
      const step = strategy.kind === 'canary' ? strategy.canary.steps[state.stepIndex] : undefined;
      const gateName = stepGateName(step, state.stepIndex);
      const stepGate = gateName === undefined ? undefined : states.get(gateName);
      if (latest.phase === 'Progressing' && !state.full && stepGate?.state === 'passed') {
        state = { ...state, stepIndex: state.stepIndex + 1, stepStartedAt: now };
        this.steps.set(latest.id, state.stepIndex);
      }
    }
    const input: RolloutInput = {
      replicas,
      analysisPending,
      state,
      phase: latest.phase as RolloutInput['phase'],
      now,
      stable: of(stableTarget.artifactDigest),
      canary: of(canaryTarget.artifactDigest),
      baseline: planned.filter(isBaseline).map((p) => p.planned),
      others: planned
        .filter(
          (p) =>
            p.instance.artifactDigest !== stableTarget.artifactDigest &&
            p.instance.artifactDigest !== canaryTarget.artifactDigest,
        )
        .map((p) => p.planned),
    };
    // A fast rollback skips the steps; once aborted, its strategy sends traffic back at once.
    const plan =
      latest.fastRollback && latest.phase !== 'Aborted' && strategy.kind !== 'rolling'
        ? planFastRollback(input, strategy.kind)
        : strategy.kind === 'canary'
          ? planCanary(input, strategy.canary)
          : strategy.kind === 'blueGreen'
            ? planBlueGreen(input, strategy.blueGreen)
            : undefined;
    if (!plan) return;

    if (JSON.stringify(plan.state) !== JSON.stringify(latest.rollout)) {
      await this.saveRollout(latest, plan.state);
    }
    this.routerSync.remember(latest, {
      routing: plan.routing,
      stableDigest: stableTarget.artifactDigest,
      canaryDigest: canaryTarget.artifactDigest,
    });
    await this.routerSync.sync(latest);
    if (await this.failOnRouteDown(latest)) return;
    if (plan.pause && latest.phase === 'Progressing') {
      await this.setPhase(latest, 'Paused', plan.pause, 'rollout.paused');
    }

    this.retireAll(planned, plan.stop);
    for (let k = 0; k < plan.startStable; k++) await this.launch(previous, stableTarget);
    for (let k = 0; k < plan.startCanary; k++) await this.launch(latest, canaryTarget);
    for (let k = 0; k < (plan.startBaseline ?? 0); k++) await this.launch(latest, stableTarget);

    const canaryReady = input.canary.filter((i) => i.state === 'ready').length;
    const waitingOnTime =
      latest.fastRollback !== true &&
      (strategy.kind === 'canary'
        ? stepWaitsOnTime(strategy.canary.steps[plan.state.stepIndex])
        : canaryReady >= input.replicas);
    if (plan.done) {
      await this.deps.analysis?.terminate(latest.id);
      this.steps.delete(latest.id);
      await this.succeed(latest);
    } else if (
      latest.phase === 'Progressing' &&
      !waitingOnTime &&
      // A step that just ended refreshed lastProgressAt: `latest` still has the old one.
      plan.state.stepIndex === latest.rollout!.stepIndex &&
      plan.state.switchedAt === latest.rollout!.switchedAt &&
      this.pastDeadline(latest)
    ) {
      await this.abort(latest, this.deadlineReason(latest, canaryReady));
    }
  }

  private gatesFor(
    latest: Deployment,
    previous: Deployment | undefined,
    progress: { readonly rolledOut: boolean; readonly previewReady: boolean },
  ) {
    // Like Argo Rollouts' initial rollout, a first deployment runs no analysis: with nothing to
    // go back to, a verdict could only fail it, and it has no traffic of its own yet. A fast
    // rollback returns to a version that served recently: like Argo Rollouts' rollbackWindow, no
    // analysis either.
    if (!this.deps.analysis || previous === undefined || latest.fastRollback) return [];
    return gatesOf({
      spec: latest.spec,
      version: latest.version,
      stableVersion: previous?.version ?? null,
      state: latest.rollout,
      ...progress,
    });
  }

  private async checkGates(
    latest: Deployment,
    gates: ReturnType<typeof gatesOf>,
  ): Promise<Map<string, GateState>> {
    const analysis = this.deps.analysis;
    if (!analysis) return new Map();
    return analysis.check(latest, gates, () => this.steps.get(latest.id) ?? null);
  }

  /**
   * Acts on finished analysis: a Failed or Error run aborts the rollout at once; an Inconclusive
   * one pauses it for a person, and after `inconclusive.timeout` takes `inconclusive.action`.
   * Returns whether the deployment's phase changed (the caller stops and reconciles again).
   */
  private async applyVerdicts(
    latest: Deployment,
    states: ReadonlyMap<string, GateState>,
  ): Promise<boolean> {
    for (const [name, state] of states) {
      if (state.state !== 'failed') continue;
      await this.abort(latest, `analysis "${name}" ${state.phase}: ${state.message}`);
      return true;
    }
    for (const [name, state] of states) {
      if (state.state !== 'inconclusive') continue;
      if (latest.phase === 'Progressing') {
        const reason =
          `${analysisPausePrefix}"${name}" is Inconclusive (${state.message}): ` +
          'run "ferry rollout promote" to go on or "ferry rollout abort" to roll back';
        await this.setPhase(latest, 'Paused', reason, 'rollout.paused');
        this.wake();
        return true;
      }
      // A person's pause stays a person's: the timeout acts only on a pause analysis caused.
      if (!latest.reason?.startsWith(analysisPausePrefix)) return false;
      const { timeoutMs, action } = latest.spec.inconclusive;
      if (timeoutMs === null || this.deps.clock.now() < state.since + timeoutMs) return false;
      const waited = `analysis "${name}" stayed Inconclusive for ${formatDuration(timeoutMs)}`;
      if (action === 'abort') {
        await this.abort(latest, `${waited}: aborted (inconclusive.action: abort)`);
      } else {
        await this.deps.analysis!.override(latest, 'controller');
        await this.setPhase(latest, 'Progressing', null, 'rollout.resumed', 'controller');
        const now = new Date(this.deps.clock.now()).toISOString();
        await this.deps.deployments.update(latest.id, { lastProgressAt: now, updatedAt: now });
        this.deps.logger.info({ deployment: latest.id }, `${waited}: promoted`);
      }
      this.wake();
      return true;
    }
    return false;
  }

  /**
   * The router could not open the route's listener (its port is taken, by another process or by
   * Ferry's own API): no user can reach the new version, so a rollout in progress ends at once,
   * with the port and its holder in the reason. Said once per deployment in a `route.unavailable`
   * event whatever the phase; the router keeps trying, so a freed port serves again.
   * Returns whether the deployment was aborted (the caller stops and reconciles again).
   */
  private async failOnRouteDown(latest: Deployment): Promise<boolean> {
    const failure = this.routerSync.routeFailure(latest);
    if (!failure) return false;
    const said = `${latest.id} ${failure.message}`;
    if (!this.routeFailuresSaid.has(said)) {
      this.routeFailuresSaid.add(said);
      this.deps.logger.error({ deployment: latest.id }, failure.message);
      await this.deps.events.append({
        actor: 'controller',
        kind: 'route.unavailable',
        subject: `deployment/${latest.id}`,
        payload: {
          service: latest.service,
          environment: latest.environment,
          version: latest.version,
          listen: `${failure.listen.host}:${failure.listen.port}`,
          reason: failure.message,
        },
      });
    }
    if (latest.phase !== 'Progressing' && latest.phase !== 'Paused') return false;
    await this.abort(latest, failure.message);
    return true;
  }

  private pastDeadline(latest: Deployment): boolean {
    return (
      this.deps.clock.now() - Date.parse(latest.lastProgressAt) > latest.spec.progressDeadlineMs
    );
  }

  private deadlineReason(latest: Deployment, ready: number): string {
    // Why the new instances are not ready: their last readiness probe result.
    const probes = this.deps.runtime
      .list()
      .filter((s) => s.spec.artifactDigest === latest.artifactDigest && s.phase !== 'ready')
      .filter((s) => s.spec.service === latest.service && s.spec.environment === latest.environment)
      .flatMap((s) =>
        s.readinessProbe ? [`${s.spec.instanceId}: ${describeProbe(s.readinessProbe)}`] : [],
      );
    return (
      `no progress within the progress deadline (${latest.spec.progressDeadlineMs}ms): ` +
      `${ready}/${latest.spec.replicas} new instances ready` +
      (probes.length > 0 ? ` (readiness probe: ${probes.join('; ')})` : '')
    );
  }

  private retireAll(planned: readonly Planned[], ids: readonly string[]): void {
    for (const id of ids) {
      const instance = planned.find((p) => p.instance.id === id)?.instance;
      if (instance && !this.busy.has(id)) this.retireTracked(instance);
    }
  }

  private async succeed(latest: Deployment): Promise<void> {
    await this.finish(latest, 'Succeeded', null);
    await this.deps.runtime.pruneReleases?.(
      latest.service,
      latest.environment,
      await this.recentDigests(latest),
    );
  }

  private async saveRollout(latest: Deployment, state: RolloutState): Promise<void> {
    const now = new Date(this.deps.clock.now()).toISOString();
    const advanced =
      state.stepIndex !== latest.rollout?.stepIndex ||
      state.switchedAt !== latest.rollout?.switchedAt;
    await this.deps.deployments.update(latest.id, {
      rollout: state,
      updatedAt: now,
      ...(advanced ? { lastProgressAt: now } : {}),
    });
    if (advanced) {
      await this.deps.events.append({
        actor: 'controller',
        kind: state.switchedAt !== latest.rollout?.switchedAt ? 'rollout.switched' : 'rollout.step',
        subject: `deployment/${latest.id}`,
        payload: {
          service: latest.service,
          environment: latest.environment,
          version: latest.version,
          stepIndex: state.stepIndex,
        },
      });
    }
  }

  private async setPhase(
    deployment: Deployment,
    phase: Deployment['phase'],
    reason: string | null,
    kind: string,
    actor = 'controller',
    final = false,
  ): Promise<void> {
    const now = new Date(this.deps.clock.now()).toISOString();
    await this.deps.deployments.update(deployment.id, {
      phase,
      reason,
      updatedAt: now,
      ...(final ? { finishedAt: now } : {}),
    });
    await this.deps.events.append({
      actor,
      kind,
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

  /**
   * Where an instance's smoke checks stand (the service's `smoke`, as the newest deployment has
   * it); asking starts them once the instance is ready. Passed when there are none to run.
   */
  private smokeOf(instance: StoredInstance, latest: Deployment): SmokeStatus {
    const checks = latest.spec.smoke;
    const status = this.deps.runtime.get(instance.id);
    if (!this.deps.smoke || checks.length === 0) return { state: 'passed' };
    // Only the new version's instances are checked, while it rolls out: instances already
    // serving keep serving (a rollback's too), and one that passed keeps its place after a restart.
    const rollingOut = latest.phase === 'Progressing' || latest.phase === 'Paused';
    const isNew =
      instance.deploymentId === latest.id && instance.artifactDigest === latest.artifactDigest;
    if (!rollingOut || !isNew || instance.smokePassedAt) return { state: 'passed' };
    if (!status || status.phase !== 'ready') return { state: 'pending' };
    return this.deps.smoke.status({
      instanceId: instance.id,
      host: status.record.host,
      port: status.record.port,
      checks,
    });
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
    await this.deps.locks.run(keyOf(stored), async () => {
      const latest = (await this.deps.deployments.list(stored, 1))[0];
      if (latest && stored.deploymentId === latest.id) {
        await this.abort(latest, `instance ${instanceId} failed its smoke checks: ${message}`);
      }
    });
    this.wake();
  }

  private plannedState(
    instance: StoredInstance,
    latest: Deployment,
  ): PlannedInstance['state'] | 'lost' {
    if (instance.intent === 'draining') return 'stopping';
    if (instance.intent === 'launching') return this.busy.has(instance.id) ? 'pending' : 'lost';
    const status = this.deps.runtime.get(instance.id);
    if (!status) return this.busy.has(instance.id) ? 'pending' : 'lost';
    if (status.phase === 'stopping' || status.phase === 'stopped') return 'stopping';
    if (status.phase !== 'ready') return 'pending';
    // Ready, but no user traffic (nor counting as ready) before its smoke checks passed.
    return this.smokeOf(instance, latest).state === 'passed' ? 'ready' : 'pending';
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
          await this.deps.locks.run(keyOf(deployment), async () => {
            const current = await this.deps.deployments.get(deployment.id);
            if (current)
              await this.abort(current, `instance ${id} failed to start: ${String(error)}`);
          });
        } finally {
          this.busy.delete(id);
          this.wake();
        }
      })(),
    );
  }

  /** `retire`, tracked, and findable by instance id until it ends. */
  private retireTracked(instance: StoredInstance): Promise<void> {
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
      await this.progressed(instance);
    } finally {
      this.busy.delete(instance.id);
      this.routerSync.include(instance.id);
      this.wake();
    }
  }

  private async markStopped(instance: StoredInstance, reason: string | null): Promise<void> {
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

  private finish(
    deployment: Deployment,
    phase: 'Succeeded' | 'RolledBack' | 'Failed',
    reason: string | null,
  ): Promise<void> {
    return this.setPhase(
      deployment,
      phase,
      reason,
      `deployment.${phase.toLowerCase()}`,
      'controller',
      true,
    );
  }

  /**
   * Ends a rollout that failed or that a person aborted. A canary or blue-green sends all traffic
   * back to stable at once (`Aborted`, retryable); a rolling update rolls back to the previous
   * deployment (`RollingBack`); a first deployment stops (`Failed`). The caller holds the lock of
   * the deployment's service/environment.
   */
  async abort(deployment: Deployment, reason: string, actor = 'controller'): Promise<void> {
    if (deployment.phase !== 'Progressing' && deployment.phase !== 'Paused') return;
    if (deployment.rollout && deployment.previousId) {
      const now = this.deps.clock.now();
      await this.deps.deployments.update(deployment.id, {
        rollout: { ...deployment.rollout, abortedAt: now },
        updatedAt: new Date(now).toISOString(),
      });
      await this.setPhase(deployment, 'Aborted', reason, 'deployment.aborted', actor);
    } else if (deployment.previousId) {
      await this.setPhase(deployment, 'RollingBack', reason, 'deployment.rolling_back', actor);
    } else {
      await this.finish(deployment, 'Failed', reason);
    }
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
        ...this.deps.runtime.describe?.(status.record),
        port: status.record.port,
        restarts: status.restarts,
        ...details,
      },
    });
    const stored = await this.deps.instances.get(id);
    if (stored && (kind === 'instance.ready' || kind === 'instance.unready')) {
      await this.routerSync.sync(stored);
    }
    if (stored && kind === 'instance.ready') await this.progressed(stored);
    if (stored && kind === 'instance.crash_loop') {
      await this.deps.locks.run(keyOf(stored), async () => {
        const latest = (await this.deps.deployments.list(stored, 1))[0];
        if (latest && latest.artifactDigest === stored.artifactDigest) {
          await this.abort(latest, `instance ${id} is crash-looping (${status.restarts} restarts)`);
        }
      });
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

  private track(operation: Promise<void>): Promise<void> {
    const guarded = operation.catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'controller operation failed');
    });
    this.operations.add(guarded);
    void guarded.finally(() => this.operations.delete(guarded));
    return guarded;
  }
}
