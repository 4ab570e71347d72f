import type { Clock } from '../../shared/clock.js';
import type { EventLog } from '../events/event-log.js';
import type { NewEvent } from '../events/event.js';
import type { Deployment } from './domain/deployment.js';
import type { Transition } from './domain/transitions.js';
import type { DeploymentStore } from './deployment-store.js';

/**
 * The one place a deployment row is written: a transition's fields and its events go to the store
 * in one transaction, then to the event log's live subscribers. A crash between the two leaves
 * neither or both.
 */
export class DeploymentWriter {
  constructor(
    private readonly store: DeploymentStore,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  /**
   * Persists a new deployment with the events that tell it and, with `supersedes`, the
   * transition that ends the deployment it replaces, all in one transaction.
   */
  async insert(
    deployment: Deployment,
    events: readonly NewEvent[],
    supersedes?: { readonly deployment: Deployment; readonly transition: Transition },
  ): Promise<void> {
    const time = this.now();
    const all = supersedes ? [...supersedes.transition.events, ...events] : events;
    this.events.announce(
      await this.store.commit({
        insert: deployment,
        ...(supersedes && {
          supersedes: {
            id: supersedes.deployment.id,
            patch: { ...supersedes.transition.patch, updatedAt: time },
          },
        }),
        events: all.map((e) => ({ ...e, time })),
      }),
    );
  }

  /** Persists a transition of `deployment`. */
  async apply(deployment: Deployment, transition: Transition): Promise<void> {
    const time = this.now();
    this.events.announce(
      await this.store.commit({
        id: deployment.id,
        patch: { ...transition.patch, updatedAt: time },
        events: transition.events.map((e) => ({ ...e, time })),
      }),
    );
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
