import type { Logger } from 'pino';
import type { ConfigHolder } from '../../config/config-holder.js';
import type { FerryConfig } from '../../config/ferry-config.js';
import { ConfigError, FerryError } from '../../errors/ferry-error.js';
import type { DeploymentService, Target } from '../deployments/deployment-service.js';
import type { EventLog } from '../events/event-log.js';
import { ScopeLeasedError } from '../leases/scope-leased-error.js';
import { configRejected } from './config-rejected.js';
import type { ApplyResult, TargetAction } from './domain/apply-plan.js';
import { diffConfig, type ConfigDiff, type ConfigTarget } from './domain/config-diff.js';

/** What apply needs of deployments: what runs where, stop, and config rollouts. */
export type ApplyDeployments = Pick<
  DeploymentService,
  'live' | 'active' | 'stopOf' | 'stop' | 'reconfigure'
>;

export interface ApplyRequest {
  /** The ferry.yaml text. */
  readonly text: string;
  /** Its name in problems (`file:line:col`). */
  readonly file: string;
  /** Stop services (and routes) the file removes while they run. */
  readonly prune: boolean;
  /** Compute and return the plan, change nothing. */
  readonly dryRun: boolean;
}

/** A rollout that ended: what may have kept a config change waiting. */
const rolloutEnds = new Set([
  'deployment.succeeded',
  'deployment.failed',
  'deployment.rolledback',
  'deployment.aborted',
]);

/**
 * `ferry apply` and SIGHUP: validates a new ferry.yaml with the loader `ferry validate` uses,
 * computes the difference with the configuration the server runs, and applies it: the holder is
 * replaced (every reader sees it from then on), services a `--prune` removes are stopped, and
 * each live service/environment whose instances must change rolls its live artifact out again
 * (DeploymentService.reconfigure). A target in the middle of a rollout keeps its spec; it is
 * reconciled once the rollout ends, and every target is reconciled when the server starts.
 */
export class ConfigApplyService {
  /** One apply or reconcile at a time. */
  private tail: Promise<unknown> = Promise.resolve();
  private reconcileQueued = false;

  constructor(
    private readonly deps: {
      readonly holder: ConfigHolder;
      readonly deployments: ApplyDeployments;
      readonly events: EventLog;
      readonly parse: (text: string, file: string) => FerryConfig;
      readonly logger: Logger;
    },
  ) {}

  apply(request: ApplyRequest, actor: string): Promise<ApplyResult> {
    return this.serial(() => this.applyNow(request, actor));
  }

  /**
   * Starts a config rollout for every live service/environment whose spec differs from the
   * configuration in what its instances run, and that is not rolling out.
   */
  reconcile(actor: string): Promise<readonly TargetAction[]> {
    return this.serial(() => this.reconcileNow(actor));
  }

  /** Reconciles after each rollout that ends; returns the function that stops it. */
  watch(): () => void {
    return this.deps.events.subscribe((event) => {
      if (!rolloutEnds.has(event.kind) || this.reconcileQueued) return;
      this.reconcileQueued = true;
      void this.serial(async () => {
        this.reconcileQueued = false;
        await this.reconcileNow('config');
      }).catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'reconciling the configuration failed'),
      );
    });
  }

  private async applyNow(request: ApplyRequest, actor: string): Promise<ApplyResult> {
    const { holder, deployments } = this.deps;
    let next: FerryConfig;
    try {
      next = this.deps.parse(request.text, request.file);
    } catch (error) {
      if (error instanceof ConfigError) throw configRejected(error, request.file);
      throw error;
    }
    const diff = diffConfig(holder.current, next);
    if (diff.restartNeeded.length > 0) {
      throw new FerryError(
        'conflict',
        `${request.file} changes what only a restart applies (${diff.restartNeeded.map((r) => r.path).join(', ')}); nothing changed`,
        { details: diff.restartNeeded },
      );
    }
    const actions = await this.plan(diff, request.prune);
    const result = { file: request.file, diff, actions, dryRun: request.dryRun };
    if (request.dryRun) return { ...result, applied: false };
    for (const a of actions.filter((a) => a.action === 'stop')) await deployments.stop(a, actor);
    holder.replace(next);
    await this.deps.events.append({
      actor,
      kind: 'config.applied',
      subject: 'config',
      payload: { file: request.file, ...summary(diff) },
    });
    const applied: TargetAction[] = [];
    for (const a of actions) {
      if (a.action !== 'rollout') applied.push(a);
      else applied.push(await this.rollOut(a, actor));
    }
    return { ...result, actions: applied, applied: true };
  }

  /** What each touched service/environment will do; refuses removals of running ones. */
  private async plan(diff: ConfigDiff, prune: boolean): Promise<TargetAction[]> {
    const { deployments } = this.deps;
    const actions: TargetAction[] = [];
    const running: ConfigTarget[] = [];
    for (const t of diff.targetsRemoved) {
      if (!(await this.runs(t))) {
        actions.push({ ...t, action: 'forget', fields: [] });
        continue;
      }
      const active = await deployments.active(t);
      if (active && prune) {
        throw new FerryError(
          'deployment_in_progress',
          `${t.service} in ${t.environment} is rolling out ${active.version} (${active.id}): let it end or "ferry rollout abort ${t.service} --env ${t.environment}", then apply again; nothing changed`,
          { extra: { deploymentId: active.id } },
        );
      }
      running.push(t);
      actions.push({ ...t, action: 'stop', fields: [] });
    }
    if (running.length > 0 && !prune) {
      const names = running.map((t) => `${t.service} in ${t.environment}`).join(', ');
      throw new FerryError(
        'conflict',
        `the file removes ${names}, which still run${running.length === 1 ? 's' : ''}: apply with --prune to stop ${running.length === 1 ? 'it' : 'them'}, or keep ${running.length === 1 ? 'it' : 'them'} in the file; nothing changed`,
        { extra: { running } },
      );
    }
    for (const t of diff.targetsChanged) {
      if (t.rollout.length === 0 || (await deployments.stopOf(t))) {
        actions.push({ ...t, action: 'next_deploy', fields: [...t.rollout, ...t.next] });
      } else if (await deployments.active(t)) {
        actions.push({ ...t, action: 'after_rollout', fields: t.rollout });
      } else if (await deployments.live(t)) {
        actions.push({ ...t, action: 'rollout', fields: t.rollout });
      } else {
        actions.push({ ...t, action: 'next_deploy', fields: [...t.rollout, ...t.next] });
      }
    }
    return actions;
  }

  private async runs(target: Target): Promise<boolean> {
    const { deployments } = this.deps;
    if (await deployments.stopOf(target)) return false;
    return (
      (await deployments.active(target)) !== undefined ||
      (await deployments.live(target)) !== undefined
    );
  }

  private async rollOut(action: TargetAction, actor: string): Promise<TargetAction> {
    const outcome = await this.deps.deployments.reconfigure(action, actor);
    if (outcome.outcome === 'started') return { ...action, deploymentId: outcome.deployment.id };
    if (outcome.outcome === 'busy') return { ...action, action: 'after_rollout' };
    return { ...action, action: 'next_deploy' };
  }

  private async reconcileNow(actor: string): Promise<TargetAction[]> {
    const config = this.deps.holder.current;
    const started: TargetAction[] = [];
    for (const [service, spec] of Object.entries(config.services)) {
      for (const { name: environment } of config.environments) {
        if (!spec.routes[environment]) continue;
        const target = { service, environment };
        try {
          const outcome = await this.deps.deployments.reconfigure(target, actor);
          if (outcome.outcome === 'started') {
            started.push({
              ...target,
              action: 'rollout',
              fields: outcome.fields,
              deploymentId: outcome.deployment.id,
            });
            this.deps.logger.info(
              { ...target, deployment: outcome.deployment.id, fields: outcome.fields },
              'configuration changed: rolling the live version out again',
            );
          }
        } catch (error) {
          // The server holding its lease advances it, and reconciles it when its rollout ends.
          if (error instanceof ScopeLeasedError) continue;
          this.deps.logger.error({ err: error, ...target }, 'reconciling the configuration failed');
        }
      }
    }
    return started;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function summary(diff: ConfigDiff) {
  return {
    servicesAdded: diff.services.added,
    servicesRemoved: diff.services.removed,
    servicesChanged: diff.services.changed.map((c) => c.name),
    environmentsChanged: [
      ...diff.environments.added,
      ...diff.environments.removed,
      ...diff.environments.changed.map((c) => c.name),
    ],
  };
}
