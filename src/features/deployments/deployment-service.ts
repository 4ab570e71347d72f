import type { FerryConfig, ServiceConfig } from '../../config/ferry-config.js';
import { FerryError, InvalidRequestError, NotFoundError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import type { EventLog } from '../events/event-log.js';
import type { Deployment, DeploymentKind } from './domain/deployment.js';
import { isActive } from './domain/deployment.js';
import { describePause, type PauseCause } from './domain/phase-cause.js';
import { effectiveService } from './domain/effective-service.js';
import { initialRolloutState } from './domain/rollout-state.js';
import { defaultRollbackWindow, rollbackPath } from './domain/rollback-window.js';
import type { DeploymentStore } from './deployment-store.js';
import { DeploymentWriter } from './deployment-writer.js';
import { rolloutTarget } from './domain/rollout-target.js';
import { specChanges } from './domain/spec-changes.js';
import { supersede } from './domain/transitions.js';
import type { ServiceStop, StopStore } from './stop-store.js';

export interface Target {
  readonly service: string;
  readonly environment: string;
}

export interface DeployResult {
  readonly deployment: Deployment;
  /** True when the artifact was already live and nothing was started. */
  readonly noop: boolean;
  /** The rolling update rolling back that this deployment superseded (it ended `Failed`). */
  readonly superseded?: Deployment;
}

/** What `reconfigure` did for one service/environment. */
export type ReconfigureResult =
  | {
      readonly outcome: 'started';
      readonly deployment: Deployment;
      readonly fields: readonly string[];
    }
  | { readonly outcome: 'failed_before'; readonly deployment: Deployment }
  | { readonly outcome: 'busy' | 'stopped' | 'not_live' | 'current' };

export interface StopResult {
  readonly stop: ServiceStop;
  /** The version that ran when it was stopped; null when nothing did. */
  readonly version: string | null;
  /** True when it was stopped already. */
  readonly noop: boolean;
}

/** How a deployment came to be asked for: directly (perhaps forced) or by a promotion. */
export interface DeployOptions {
  /** Deploy into an environment that promotes from another one, without promoting. Recorded. */
  readonly force?: boolean;
  /** Set by `ferry promote`: the environment whose live artifact this is. */
  readonly promotedFrom?: string;
  /**
   * `--emergency "reason"`: passes a deployment window in force (never a gate). Recorded on
   * `deployment.created` as `emergency: { reason }`.
   */
  readonly emergency?: { readonly reason: string };
}

/**
 * Decides whether an artifact may enter an environment (its promotion path and required gates);
 * throws a FerryError saying why not. The promotion feature provides it.
 */
export type DeployAdmission = (
  target: Target,
  artifact: { readonly digest: string; readonly version: string },
  options: DeployOptions,
) => Promise<void>;

/** How a rollback was asked for. */
export interface RollbackOptions {
  /**
   * `--force`: go back even where a rollback admission refuses (an applied contract migration
   * removed what the version needs). Recorded on `deployment.created` as `forced`.
   */
  readonly force?: boolean;
}

/**
 * Decides whether a rollback may bring an artifact back into an environment (the migrations
 * feature: not to a version older than an applied contract migration); throws a FerryError
 * saying why not.
 */
export type RollbackAdmission = (
  target: Target,
  artifact: { readonly digest: string; readonly version: string },
  options: RollbackOptions,
) => Promise<void>;

/**
 * A deployment that must wait before it starts anything (the risk policy asked for approval):
 * it is created `Paused` for `cause`, and `created` then records what it waits on.
 */
export interface DeployHold {
  readonly cause: PauseCause;
  readonly created: (deployment: Deployment) => Promise<void>;
}

/** What is known of a change when the hold is decided; see `DeployHolds`. */
export interface HoldFacts {
  readonly kind: DeploymentKind;
  readonly actor: string;
  /** What runs now; undefined for a first deployment (or a stopped service). */
  readonly live: Deployment | undefined;
  /** A rollback older than the rollback window (it goes through the strategy). */
  readonly rollbackOutsideWindow: boolean;
  readonly emergency: boolean;
  /** The service config the deployment would follow. */
  readonly spec: ServiceConfig;
}

/**
 * Decides whether a deployment waits for people before it starts (the approvals feature's risk
 * policy); undefined: it starts at once.
 */
export type DeployHolds = (
  target: Target,
  artifact: {
    readonly digest: string;
    readonly version: string;
    readonly meta?: Readonly<Record<string, string>>;
  },
  facts: HoldFacts,
) => Promise<DeployHold | undefined>;

/** Creates deployments and rollbacks, stops and starts services; the controller carries them out. */
export class DeploymentService {
  constructor(
    /** Read at each use (`ferry apply` replaces it); a running rollout follows its stored spec. */
    private readonly configs: { readonly current: FerryConfig },
    private readonly store: DeploymentStore,
    private readonly stops: StopStore,
    private readonly artifacts: ArtifactService,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly locks: ScopeLock,
    private readonly onCreated: () => void,
    private readonly admission: DeployAdmission = async () => {},
    private readonly holds: DeployHolds = async () => undefined,
    private readonly rollbackAdmission: RollbackAdmission = async () => {},
  ) {
    this.writer = new DeploymentWriter(store, events, clock);
  }

  private readonly writer: DeploymentWriter;

  private get config(): FerryConfig {
    return this.configs.current;
  }

  /** Deploys a version of a service, or returns the live deployment if it already runs it. */
  deploy(
    target: Target,
    version: string,
    actor: string,
    options: DeployOptions = {},
  ): Promise<DeployResult> {
    return this.exclusive(target, async () => {
      const service = this.serviceConfig(target);
      const artifact = await this.artifacts.get(target.service, version);
      const rollingBack = await this.idleOrRollingBack(target);
      // A stopped service starts afresh: nothing runs to compare a canary with or to go back to.
      const stopped = await this.stops.get(target);
      const live = stopped ? undefined : await this.live(target);
      // While a rollback runs, the live version is not all that runs: deploying it is no no-op.
      if (live && live.artifactDigest === artifact.digest && !rollingBack) {
        return { deployment: live, noop: true };
      }
      await this.admission(target, artifact, options);
      await this.artifacts.verify(artifact.digest, target);
      const hold = await this.holds(target, artifact, {
        kind: 'deploy',
        actor,
        live,
        rollbackOutsideWindow: false,
        emergency: options.emergency !== undefined,
        spec: service,
      });
      if (stopped) await this.unstop(target, artifact.version, actor);
      const deployment = await this.create(target, service, 'deploy', artifact, live, actor, {
        ...(options.force ? { forced: true } : {}),
        ...(options.promotedFrom ? { promotedFrom: options.promotedFrom } : {}),
        ...(options.emergency ? { emergency: { reason: options.emergency.reason } } : {}),
        ...(hold ? { hold } : {}),
        ...(rollingBack ? { supersedes: rollingBack } : {}),
      });
      return { deployment, noop: false, ...(rollingBack ? { superseded: rollingBack } : {}) };
    });
  }

  /** The service's configuration for one environment: what a deployment there would follow. */
  specFor(target: Target): ServiceConfig {
    return this.serviceConfig(target);
  }

  /**
   * Redeploys the previous successful artifact (the newest succeeded one that differs from what
   * is live), or the named version. A version among the last `rollbackWindow` that were live
   * rolls back fast (no steps, no analysis); an older one goes through the strategy.
   */
  rollback(
    target: Target,
    toVersion: string | undefined,
    actor: string,
    options: RollbackOptions = {},
  ): Promise<DeployResult> {
    return this.exclusive(target, async () => {
      const service = this.serviceConfig(target);
      const rollingBack = await this.idleOrRollingBack(target, 'sends its traffic back');
      const stopped = await this.stops.get(target);
      if (stopped) {
        throw new FerryError(
          'conflict',
          `${target.service} is stopped in ${target.environment}: "ferry start ${target.service} --env ${target.environment}" runs its last version again, "ferry deploy" another one`,
        );
      }
      const live = await this.live(target);
      const artifact = toVersion
        ? await this.artifacts.get(target.service, toVersion)
        : await this.previousArtifact(target, live);
      if (live && live.artifactDigest === artifact.digest && !rollingBack) {
        return { deployment: live, noop: true };
      }
      await this.rollbackAdmission(target, artifact, options);
      const history = await this.store.list(target, 200);
      const window = service.rollbackWindow ?? defaultRollbackWindow;
      const path = rollbackPath(history, live, artifact.digest, window);
      await this.artifacts.verify(artifact.digest, target);
      const hold = await this.holds(target, artifact, {
        kind: 'rollback',
        actor,
        live,
        rollbackOutsideWindow: !path.fast,
        emergency: false,
        spec: service,
      });
      const deployment = await this.create(target, service, 'rollback', artifact, live, actor, {
        fastRollback: path.fast,
        rollbackWindow: window,
        ...(options.force ? { forced: true } : {}),
        ...(hold ? { hold } : {}),
        ...(rollingBack ? { supersedes: rollingBack } : {}),
      });
      return { deployment, noop: false, ...(rollingBack ? { superseded: rollingBack } : {}) };
    });
  }

  /**
   * Stops a service in an environment. The stop is persisted before anything else, so a restarted
   * server keeps it stopped; the controller then stops its instances and closes its route.
   * Refused while a rollout runs: it would decide about instances that are being stopped.
   */
  stop(target: Target, actor: string): Promise<StopResult> {
    return this.exclusive(target, async () => {
      this.serviceConfig(target);
      const latest = (await this.store.list(target, 1))[0];
      const previous = latest?.previousId ? await this.store.get(latest.previousId) : undefined;
      const version = latest ? (rolloutTarget(latest, previous)?.version ?? null) : null;
      const stopped = await this.stops.get(target);
      if (stopped) return { stop: stopped, version, noop: true };
      if (!latest) {
        throw new FerryError(
          'conflict',
          `${target.service} has never been deployed to ${target.environment}: there is nothing to stop`,
        );
      }
      await this.assertIdle(target, 'ends it; then stop');
      const stop = { ...target, stoppedAt: new Date(this.clock.now()).toISOString(), actor };
      await this.stops.insert(stop);
      await this.events.append({
        actor,
        kind: 'service.stopped',
        subject: `service/${target.service}/${target.environment}`,
        payload: { ...target, version },
      });
      this.onCreated();
      return { stop, version, noop: false };
    });
  }

  /**
   * Starts a stopped service again with the version it ran last, as a new deployment that starts
   * all of its instances at once (there is nothing live to roll from). Not stopped: the live
   * deployment, as a no-op.
   */
  start(target: Target, actor: string): Promise<DeployResult> {
    return this.exclusive(target, async () => {
      const service = this.serviceConfig(target);
      const stopped = await this.stops.get(target);
      const { service: name, environment } = target;
      if (!stopped) {
        const live = await this.live(target);
        if (live) return { deployment: live, noop: true };
        throw new FerryError(
          'conflict',
          `${name} is not stopped in ${environment} and has no live version: "ferry deploy" one`,
        );
      }
      const latest = (await this.store.list(target, 1))[0];
      const previous = latest?.previousId ? await this.store.get(latest.previousId) : undefined;
      const last = latest ? rolloutTarget(latest, previous) : null;
      if (!last) {
        throw new FerryError(
          'conflict',
          `${name} has no version to start in ${environment} (its last deployment failed): "ferry deploy" one`,
        );
      }
      const artifact = { digest: last.artifactDigest, version: last.version };
      await this.artifacts.verify(artifact.digest, target);
      await this.unstop(target, artifact.version, actor);
      const deployment = await this.create(target, service, 'deploy', artifact, undefined, actor);
      return { deployment, noop: false };
    });
  }

  /**
   * Rolls the live artifact out again with the configuration's spec when what its instances run
   * changed (replicas, runtime, health, route): a `deploy` of the same artifact, recorded as a
   * config change, that goes as a rolling update whatever the strategy (both sides run the same
   * bytes, so there is nothing to compare). Nothing happens while a rollout runs (it keeps its
   * spec; call again once it ended), while the service is stopped, when nothing is live, or when
   * the same change was rolled out already and did not succeed (no retry loop).
   */
  reconfigure(target: Target, actor: string): Promise<ReconfigureResult> {
    return this.exclusive(target, async () => {
      const service = this.serviceConfig(target);
      if (await this.stops.get(target)) return { outcome: 'stopped' };
      if (await this.active(target)) return { outcome: 'busy' };
      const live = await this.live(target);
      if (!live) return { outcome: 'not_live' };
      const fields = specChanges(live.spec, service, target.environment).rollout;
      if (fields.length === 0) return { outcome: 'current' };
      const latest = (await this.store.list(target, 1))[0];
      const triedBefore =
        latest !== undefined &&
        latest.id !== live.id &&
        latest.artifactDigest === live.artifactDigest &&
        specChanges(latest.spec, service, target.environment).rollout.length === 0;
      if (triedBefore) return { outcome: 'failed_before', deployment: latest };
      const artifact = { digest: live.artifactDigest, version: live.version };
      await this.artifacts.verify(artifact.digest, target);
      const deployment = await this.create(target, service, 'deploy', artifact, live, actor, {
        configChange: fields,
      });
      return { outcome: 'started', deployment, fields };
    });
  }

  /** The stop of a service in an environment, while it is stopped. */
  stopOf(target: Target): Promise<ServiceStop | undefined> {
    return this.stops.get(target);
  }

  async get(id: string): Promise<Deployment> {
    const deployment = await this.store.get(id);
    if (!deployment) throw new NotFoundError('deployment', id);
    return deployment;
  }

  list(target: Target, limit = 50): Promise<readonly Deployment[]> {
    this.serviceConfig(target);
    return this.store.list(target, limit);
  }

  /**
   * The `--emergency` reason of each of `ids` that was created in an emergency, read from its
   * `deployment.created` event: the event log is where history comes from.
   */
  async emergencies(ids: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const reasons = new Map<string, string>();
    for (const id of ids) {
      const [created] = await this.events.list({
        subjectPrefix: `deployment/${id}`,
        kindPrefix: 'deployment.created',
        limit: 1,
      });
      const emergency = created?.payload['emergency'];
      if (typeof emergency === 'object' && emergency !== null && 'reason' in emergency) {
        reasons.set(id, String(emergency.reason));
      }
    }
    return reasons;
  }

  /** The newest succeeded deployment: what serves traffic when nothing is in progress. */
  async live(target: Target): Promise<Deployment | undefined> {
    const history = await this.store.list(target, 100);
    if (history[0]?.phase === 'Failed') return undefined;
    return history.find((d) => d.phase === 'Succeeded');
  }

  async active(target: Target): Promise<Deployment | undefined> {
    const latest = (await this.store.list(target, 1))[0];
    return latest && isActive(latest.phase) ? latest : undefined;
  }

  private async create(
    target: Target,
    spec: ServiceConfig,
    kind: DeploymentKind,
    artifact: { digest: string; version: string },
    live: Deployment | undefined,
    actor: string,
    /**
     * Recorded on `deployment.created`: `fastRollback`, `rollbackWindow`, `forced`, `promotedFrom`,
     * `emergency`, `configChange` (a config rollout: the fields that changed; it goes as a rolling update).
     */
    extra: {
      readonly fastRollback?: boolean;
      readonly rollbackWindow?: number;
      readonly forced?: boolean;
      readonly promotedFrom?: string;
      readonly configChange?: readonly string[];
      readonly emergency?: { readonly reason: string };
      /** Created `Paused` until what it waits on (an approval) lets it start. */
      readonly hold?: DeployHold;
      /** A rolling update rolling back that this deployment replaces (`supersede`). */
      readonly supersedes?: Deployment;
    } = {},
  ): Promise<Deployment> {
    const { hold, supersedes, ...recorded } = extra;
    const now = new Date(this.clock.now()).toISOString();
    const deployment: Deployment = {
      id: newId('dep', this.clock.now()),
      service: target.service,
      environment: target.environment,
      kind,
      artifactDigest: artifact.digest,
      version: artifact.version,
      phase: hold ? 'Paused' : 'Progressing',
      reason: hold ? describePause(hold.cause) : null,
      ...(hold ? { cause: { phase: 'Paused', pause: hold.cause } as const } : {}),
      previousId: live?.id ?? null,
      spec,
      actor,
      createdAt: now,
      updatedAt: now,
      lastProgressAt: now,
      finishedAt: null,
      // A held deployment gets its rollout state when it starts (`approvalGranted`). The live
      // artifact again (a config change, or the version a superseded rollback went back to) goes
      // as a rolling update: both sides would run the same bytes, there is nothing to compare.
      rollout:
        spec.strategy.kind !== 'rolling' && live && live.artifactDigest !== artifact.digest && !hold
          ? initialRolloutState(this.clock.now())
          : null,
      ...(extra.fastRollback ? { fastRollback: true } : {}),
    };
    const ends = supersedes && {
      deployment: supersedes,
      transition: supersede(supersedes, deployment, this.clock.now(), actor),
    };
    await this.writer.insert(
      deployment,
      [
        {
          actor,
          kind: 'deployment.created',
          subject: `deployment/${deployment.id}`,
          payload: {
            service: target.service,
            environment: target.environment,
            kind,
            version: artifact.version,
            digest: artifact.digest,
            previous: live ? { id: live.id, version: live.version } : null,
            ...recorded,
            ...(hold ? { waitingFor: hold.cause } : {}),
            ...(supersedes ? { supersedes: supersedes.id } : {}),
          },
        },
      ],
      ends,
    );
    await hold?.created(deployment);
    this.onCreated();
    return deployment;
  }

  private async previousArtifact(target: Target, live: Deployment | undefined) {
    const history = await this.store.list(target, 200);
    const previous = history.find(
      (d) =>
        d.phase === 'Succeeded' && d.id !== live?.id && d.artifactDigest !== live?.artifactDigest,
    );
    if (!previous) {
      const then = live ? `; "ferry rollback" then goes back to ${live.version}` : '';
      throw new FerryError(
        'conflict',
        `${target.service} has no earlier successful deployment in ${target.environment} to roll back to: deploy another version first${then}`,
      );
    }
    return { digest: previous.artifactDigest, version: previous.version };
  }

  /** A stopped service runs again: its stop is removed and `service.started` recorded. */
  private async unstop(target: Target, version: string, actor: string): Promise<void> {
    await this.stops.remove(target);
    await this.events.append({
      actor,
      kind: 'service.started',
      subject: `service/${target.service}/${target.environment}`,
      payload: { ...target, version },
    });
  }

  /**
   * No rollout in progress. With `abortThen` (what an abort then does), a rollback or stop asked
   * during one is told how to end it.
   */
  private async assertIdle(target: Target, abortThen?: string): Promise<void> {
    const active = await this.active(target);
    if (active) throw inProgress(target, active, abortThen);
  }

  /**
   * No rollout in progress, or a rolling update rolling back (returned): a deploy or rollback
   * supersedes it. Any other rollout in progress is refused as {@link assertIdle} refuses it.
   */
  private async idleOrRollingBack(
    target: Target,
    abortThen?: string,
  ): Promise<Deployment | undefined> {
    const active = await this.active(target);
    if (active === undefined || active.phase === 'RollingBack') return active;
    throw inProgress(target, active, abortThen);
  }

  /**
   * The spec the service runs with in the target environment (its overrides applied): what a
   * deployment stores, and so what the controller follows.
   */
  private serviceConfig(target: Target): ServiceConfig {
    const service = this.config.services[target.service];
    if (!service) throw new NotFoundError('service', target.service);
    if (!this.config.environments.some((e) => e.name === target.environment)) {
      throw new NotFoundError('environment', target.environment);
    }
    if (!service.routes[target.environment]) {
      throw new InvalidRequestError(
        `service ${target.service} has no route for environment ${target.environment}; add routes.${target.environment} in ferry.yaml`,
        [{ path: `services.${target.service}.routes.${target.environment}`, message: 'missing' }],
      );
    }
    return effectiveService(service, target.environment);
  }

  /** One create at a time per service/environment, so two racing deploys cannot both start. */
  private exclusive<T>(target: Target, work: () => Promise<T>): Promise<T> {
    return this.locks.run(`${target.service}/${target.environment}`, work);
  }
}

function inProgress(target: Target, active: Deployment, abortThen?: string): FerryError {
  const { service, environment } = target;
  const hint =
    active.phase === 'RollingBack'
      ? `; "ferry deploy" or "ferry rollback" supersedes its rollback`
      : abortThen
        ? `; "ferry rollout abort ${service} --env ${environment}" ${abortThen}`
        : '';
  return new FerryError(
    'deployment_in_progress',
    `${service} in ${environment} is already rolling out ${active.version} (${active.id})${hint}`,
    { extra: { deploymentId: active.id } },
  );
}
