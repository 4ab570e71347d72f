import type { AbortCause } from './phase-cause.js';

/** The instance failures a detached callback reports: each ends the rollout that started it. */
export type InstanceFailure = Extract<
  AbortCause,
  { readonly kind: 'launchFailed' | 'crashLoop' | 'smokeFailed' }
>;

/**
 * Something observed outside a reconcile (an instance failed to start, crash-loops, failed its
 * smoke checks), recorded on the deployment with when it was seen. The callback that sees it
 * only records it; the next reconcile reads it with the rest of the actual state and acts on it,
 * so every change of phase is made in one place.
 */
export interface Condition {
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly cause: InstanceFailure;
}
