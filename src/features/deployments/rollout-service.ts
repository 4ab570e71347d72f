import { FerryError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import type { EventLog } from '../events/event-log.js';
import type { DeploymentController } from './deployment-controller.js';
import type { DeploymentStore } from './deployment-store.js';
import type { Deployment, DeploymentPhase } from './domain/deployment.js';
import { promote } from './domain/promote.js';
import { initialRolloutState } from './domain/rollout-state.js';
import type { Target } from './deployment-service.js';
import type { RolloutAnalysis } from './rollout-analysis.js';
import type { StopStore } from './stop-store.js';
import { pauseReasonPrefixes, resumePromotes } from './domain/pause-reasons.js';
import { rolloutSteps } from './domain/rollout-steps.js';

export const rolloutActions = ['promote', 'abort', 'retry', 'pause', 'resume'] as const;
export type RolloutAction = (typeof rolloutActions)[number];

/** A person's hand on a rollout: promote, abort, retry, pause, resume. */
export class RolloutService {
  constructor(
    private readonly store: DeploymentStore,
    private readonly controller: DeploymentController,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly locks: ScopeLock,
    private readonly stops: StopStore,
    private readonly analysis?: RolloutAnalysis,
  ) {}

  /** Applies an action to the newest deployment of a service/environment and returns it. */
  act(target: Target, action: RolloutAction, actor: string, full = false): Promise<Deployment> {
    const key = `${target.service}/${target.environment}`;
    return this.locks
      .run(key, async () => {
        const latest = (await this.store.list(target, 1))[0];
        if (!latest) {
          throw new FerryError(
            'not_found',
            `${target.service} has no deployment in ${target.environment}`,
          );
        }
        // A retried canary would start instances of a service a person stopped.
        if (await this.stops.get(target)) {
          throw new FerryError(
            'conflict',
            `cannot ${action} ${target.service} in ${target.environment}: it is stopped; "ferry start ${target.service} --env ${target.environment}" runs it again`,
          );
        }
        await this.apply(latest, action, actor, full);
        return latest.id;
      })
      .then(async (id) => {
        // Carry the change out before answering: after `abort` returns, traffic has left.
        await this.controller.reconcileNow(target);
        return (await this.store.get(id))!;
      });
  }

  private async apply(
    d: Deployment,
    action: RolloutAction,
    actor: string,
    full: boolean,
  ): Promise<void> {
    const now = this.clock.now();
    const at = new Date(now).toISOString();
    switch (action) {
      case 'abort':
        this.expect(d, action, ['Progressing', 'Paused']);
        return this.controller.abort(d, `aborted by ${actor}`, actor);
      case 'promote': {
        this.expect(d, action, ['Progressing', 'Paused']);
        if (!d.rollout && full) throw this.notStepped(d, action);
        // Past an Inconclusive verdict: the run counts as passed and the rollout goes on from
        // where it stands (an analysis step then ends as passed; background analysis measures on
        // in a fresh run, and can still abort); nothing else is skipped but an open-ended pause
        // the rollout was waiting at anyway.
        const overridden = (await this.analysis?.override(d, actor)) ?? 0;
        if (overridden > 0 && !full && !atOpenPause(d)) {
          await this.store.update(d.id, {
            phase: 'Progressing',
            reason: null,
            lastProgressAt: at,
            updatedAt: at,
          });
          return this.record(d, 'rollout.promoted', actor, { full, overridden });
        }
        if (!d.rollout) throw this.notStepped(d, action);
        const rollout = promote(d.rollout, d.spec.strategy, full, now);
        await this.store.update(d.id, {
          rollout,
          phase: 'Progressing',
          reason: null,
          lastProgressAt: at,
          updatedAt: at,
        });
        return this.record(d, 'rollout.promoted', actor, { full, stepIndex: rollout.stepIndex });
      }
      case 'retry':
        this.expect(d, action, ['Aborted']);
        await this.store.update(d.id, {
          rollout: initialRolloutState(now),
          phase: 'Progressing',
          reason: null,
          lastProgressAt: at,
          updatedAt: at,
        });
        return this.record(d, 'rollout.retried', actor, {});
      case 'pause':
        this.expect(d, action, ['Progressing']);
        await this.store.update(d.id, {
          phase: 'Paused',
          reason: `${personPause}${actor}`,
          updatedAt: at,
        });
        return this.record(d, 'rollout.paused', actor, {});
      case 'resume':
        this.expect(d, action, ['Paused']);
        // Paused by the rollout itself (an open-ended pause step, a preview waiting): nothing to
        // resume but what a promote goes past, so resume promotes the current step. An analysis
        // verdict is overridden only by an explicit promote.
        if (d.rollout && resumePromotes(d.reason)) {
          return this.apply(d, 'promote', actor, false);
        }
        await this.store.update(d.id, {
          phase: 'Progressing',
          reason: null,
          lastProgressAt: at,
          updatedAt: at,
        });
        return this.record(d, 'rollout.resumed', actor, {});
    }
  }

  private expect(d: Deployment, action: RolloutAction, phases: readonly DeploymentPhase[]): void {
    if (!phases.includes(d.phase)) {
      throw new FerryError(
        'conflict',
        `cannot ${action} ${d.service} in ${d.environment}: its newest deployment ${d.id} (${d.version}) is ${d.phase}, ` +
          `expected ${phases.join(' or ')}`,
        { extra: { deploymentId: d.id, phase: d.phase } },
      );
    }
  }

  private notStepped(d: Deployment, action: RolloutAction): FerryError {
    return new FerryError(
      'conflict',
      `cannot ${action} ${d.service} in ${d.environment}: ${d.id} is a rolling update without steps`,
      { extra: { deploymentId: d.id } },
    );
  }

  private async record(d: Deployment, kind: string, actor: string, extra: Record<string, unknown>) {
    await this.events.append({
      actor,
      kind,
      subject: `deployment/${d.id}`,
      payload: { service: d.service, environment: d.environment, version: d.version, ...extra },
    });
  }
}

const personPause = pauseReasonPrefixes.person;

/** Whether the rollout stands at a `pause: {}` step, which only `promote` ends. */
function atOpenPause(d: Deployment): boolean {
  const step = d.rollout ? rolloutSteps(d.spec.strategy)[d.rollout.stepIndex] : undefined;
  return step?.kind === 'pause' && step.durationMs === null;
}
