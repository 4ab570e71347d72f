import { FerryError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import type { EventLog } from '../events/event-log.js';
import type { DeploymentController } from './deployment-controller.js';
import type { DeploymentStore } from './deployment-store.js';
import type { Deployment } from './domain/deployment.js';
import {
  abort,
  assertAllowed,
  pause,
  promote,
  resume,
  retry,
  rolloutActionPhases,
  TransitionRefused,
  type RolloutAction,
} from './domain/transitions.js';
import { awaitedApproval, resumePromotes } from './domain/phase-cause.js';
import { DeploymentWriter } from './deployment-writer.js';
import type { Target } from './deployment-service.js';
import type { RolloutAnalysis } from './rollout-analysis.js';
import type { StopStore } from './stop-store.js';

/**
 * The 0-based index of a canary `approval` step a promote would go past: the current step, or
 * with `full` any step from it on. Only the approval passes such a step.
 */
function approvalStepAhead(d: Deployment, full: boolean): number | undefined {
  if (!d.rollout || d.spec.strategy.kind !== 'canary') return undefined;
  const steps = d.spec.strategy.canary.steps;
  const last = full ? steps.length : d.rollout.stepIndex + 1;
  for (let index = d.rollout.stepIndex; index < last; index++) {
    if (steps[index]?.kind === 'approval') return index;
  }
  return undefined;
}

export const rolloutActions = Object.keys(rolloutActionPhases) as RolloutAction[];
export type { RolloutAction };

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
  ) {
    this.writer = new DeploymentWriter(store, events, clock);
  }

  private readonly writer: DeploymentWriter;

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
        const approval = awaitedApproval(latest);
        if (approval !== undefined && (action === 'promote' || action === 'resume')) {
          throw new FerryError(
            'conflict',
            `cannot ${action} ${target.service} in ${target.environment}: ${latest.id} waits for approval ${approval}; "ferry approvals approve ${approval}" lets it start, "ferry rollout abort" cancels it`,
            { extra: { deploymentId: latest.id, approvalId: approval } },
          );
        }
        const step = approvalStepAhead(latest, full);
        if (step !== undefined && (action === 'promote' || action === 'resume')) {
          throw new FerryError(
            'conflict',
            `cannot ${action} ${target.service} in ${target.environment}: step ${step + 1} of ${latest.id} waits for an approval; "ferry approvals list" shows it, "ferry approvals approve <id>" passes it`,
            { extra: { deploymentId: latest.id, step: step + 1 } },
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
    try {
      switch (action) {
        case 'abort':
          return await this.writer.apply(d, abort(d, { kind: 'person', actor }, now, actor));
        case 'promote': {
          assertAllowed(d, 'promote');
          if (!d.rollout && full) throw this.notStepped(d, action);
          // Past an Inconclusive verdict: the run counts as passed and the rollout goes on from
          // where it stands (an analysis step then ends as passed; background analysis measures on
          // in a fresh run, and can still abort); nothing else is skipped but an open-ended pause
          // the rollout was waiting at anyway.
          const overridden = (await this.analysis?.override(d, actor)) ?? 0;
          return await this.writer.apply(d, promote(d, now, actor, { full, overridden }));
        }
        case 'retry':
          return await this.writer.apply(d, retry(d, now, actor));
        case 'pause':
          return await this.writer.apply(d, pause(d, { kind: 'person', actor }, actor));
        case 'resume':
          // Paused by the rollout itself (an open-ended pause step, a preview waiting): nothing to
          // resume but what a promote goes past, so resume promotes the current step. An analysis
          // verdict is overridden only by an explicit promote.
          if (
            d.phase === 'Paused' &&
            d.rollout &&
            resumePromotes(d.cause?.phase === 'Paused' ? d.cause.pause : null)
          ) {
            return await this.apply(d, 'promote', actor, false);
          }
          return await this.writer.apply(d, resume(d, now, actor));
      }
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      if (error.expected.length === 0) throw this.notStepped(d, action);
      throw new FerryError(
        'conflict',
        `cannot ${action} ${d.service} in ${d.environment}: its newest deployment ${d.id} (${d.version}) is ${d.phase}, ` +
          `expected ${error.expected.join(' or ')}`,
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
}
