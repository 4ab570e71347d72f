import type { FerryEvent, NewEvent } from '../events/event.js';
import type { Deployment } from './domain/deployment.js';
import type { DeploymentPatch } from './domain/transitions.js';

/** An event to append with a deployment's change, stamped with the time of the change. */
export type TimedEvent = NewEvent & { readonly time: string };

/** The fields of an existing deployment to set, with the time of the change. */
export interface DeploymentUpdate {
  readonly id: string;
  readonly patch: DeploymentPatch & { readonly updatedAt: string };
}

/**
 * One change of deployments, with its events: a new row (and, with `supersedes`, the end of the
 * rollout it replaces, in the same transaction), or fields of an existing one.
 */
export type DeploymentWrite =
  | {
      readonly insert: Deployment;
      readonly supersedes?: DeploymentUpdate;
      readonly events: readonly TimedEvent[];
    }
  | (DeploymentUpdate & { readonly events: readonly TimedEvent[] });

/** Persistence port for deployments. */
export interface DeploymentStore {
  /**
   * Inserts or patches one deployment and appends its events to the event log, all or nothing
   * (one transaction), and returns the stored events. An insert rejects a second deployment with
   * the same id; a patch sets the fields given, and of a missing id changes nothing (its events
   * are still appended). `conditions: []` clears them.
   */
  commit(write: DeploymentWrite): Promise<readonly FerryEvent[]>;
  get(id: string): Promise<Deployment | undefined>;
  /** Newest first (ties: id descending), at most `limit`. */
  list(
    target: { readonly service: string; readonly environment: string },
    limit: number,
  ): Promise<readonly Deployment[]>;
  /**
   * Every deployment of one artifact (by digest) of a service, in any environment, newest first
   * (ties: id descending): where the artifact ran.
   */
  listByArtifact(service: string, digest: string): Promise<readonly Deployment[]>;
  /** Deployments in an active phase, oldest first (ties: id ascending). */
  listActive(): Promise<readonly Deployment[]>;
  /** The newest deployment (ties: greatest id) of every service/environment that has one. */
  listLatest(): Promise<readonly Deployment[]>;
}
