import type { FerryConfig, ServiceConfig } from '../../config/ferry-config.js';
import { FerryError, InvalidRequestError, NotFoundError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { KeyedQueue } from '../../shared/keyed-queue.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import type { EventLog } from '../events/event-log.js';
import type { Deployment, DeploymentKind } from './domain/deployment.js';
import { isActive } from './domain/deployment.js';
import { initialRolloutState } from './domain/rollout-state.js';
import { defaultRollbackWindow, rollbackPath } from './domain/rollback-window.js';
import type { DeploymentStore } from './deployment-store.js';

export interface Target {
  readonly service: string;
  readonly environment: string;
}

export interface DeployResult {
  readonly deployment: Deployment;
  /** True when the artifact was already live and nothing was started. */
  readonly noop: boolean;
}

/** Creates deployments and rollbacks; the controller carries them out. */
export class DeploymentService {
  constructor(
    private readonly config: FerryConfig,
    private readonly store: DeploymentStore,
    private readonly artifacts: ArtifactService,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly locks: KeyedQueue,
    private readonly onCreated: () => void,
  ) {}

  /** Deploys a version of a service, or returns the live deployment if it already runs it. */
  deploy(target: Target, version: string, actor: string): Promise<DeployResult> {
    return this.exclusive(target, async () => {
      const service = this.serviceConfig(target);
      const artifact = await this.artifacts.get(target.service, version);
      await this.assertIdle(target);
      const live = await this.live(target);
      if (live && live.artifactDigest === artifact.digest) return { deployment: live, noop: true };
      await this.artifacts.verify(artifact.digest, target);
      const deployment = await this.create(target, service, 'deploy', artifact, live, actor);
      return { deployment, noop: false };
    });
  }

  /**
   * Redeploys the previous successful artifact (the newest succeeded one that differs from what
   * is live), or the named version. A version among the last `rollbackWindow` that were live
   * rolls back fast (no steps, no analysis); an older one goes through the strategy.
   */
  rollback(target: Target, toVersion: string | undefined, actor: string): Promise<DeployResult> {
    return this.exclusive(target, async () => {
      const service = this.serviceConfig(target);
      await this.assertIdle(target, true);
      const live = await this.live(target);
      const artifact = toVersion
        ? await this.artifacts.get(target.service, toVersion)
        : await this.previousArtifact(target, live);
      if (live && live.artifactDigest === artifact.digest) return { deployment: live, noop: true };
      const history = await this.store.list(target, 200);
      const window = service.rollbackWindow ?? defaultRollbackWindow;
      const path = rollbackPath(history, live, artifact.digest, window);
      await this.artifacts.verify(artifact.digest, target);
      const deployment = await this.create(target, service, 'rollback', artifact, live, actor, {
        fast: path.fast,
        window,
      });
      return { deployment, noop: false };
    });
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
    rollback?: { readonly fast: boolean; readonly window: number },
  ): Promise<Deployment> {
    const now = new Date(this.clock.now()).toISOString();
    const deployment: Deployment = {
      id: newId('dep', this.clock.now()),
      service: target.service,
      environment: target.environment,
      kind,
      artifactDigest: artifact.digest,
      version: artifact.version,
      phase: 'Progressing',
      reason: null,
      previousId: live?.id ?? null,
      spec,
      actor,
      createdAt: now,
      updatedAt: now,
      lastProgressAt: now,
      finishedAt: null,
      rollout:
        spec.strategy.kind !== 'rolling' && live ? initialRolloutState(this.clock.now()) : null,
      ...(rollback?.fast ? { fastRollback: true } : {}),
    };
    await this.store.insert(deployment);
    await this.events.append({
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
        ...(rollback ? { fastRollback: rollback.fast, rollbackWindow: rollback.window } : {}),
      },
    });
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
      throw new FerryError(
        'conflict',
        `${target.service} has no earlier successful deployment in ${target.environment} to roll back to`,
      );
    }
    return { digest: previous.artifactDigest, version: previous.version };
  }

  /** No rollout in progress; a rollback asked during one is told how to end it instead. */
  private async assertIdle(target: Target, rollingBack = false): Promise<void> {
    const active = await this.active(target);
    if (active) {
      const hint =
        rollingBack && active.phase !== 'RollingBack'
          ? `; "ferry rollout abort ${target.service} --env ${target.environment}" sends its traffic back`
          : '';
      throw new FerryError(
        'deployment_in_progress',
        `${target.service} in ${target.environment} is already rolling out ${active.version} (${active.id})${hint}`,
        { extra: { deploymentId: active.id } },
      );
    }
  }

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
    return service;
  }

  /** One create at a time per service/environment, so two racing deploys cannot both start. */
  private exclusive<T>(target: Target, work: () => Promise<T>): Promise<T> {
    return this.locks.run(`${target.service}/${target.environment}`, work);
  }
}
