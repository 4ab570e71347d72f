/** A service that a person stopped in an environment: nothing of it runs, its route is closed. */
export interface ServiceStop {
  readonly service: string;
  readonly environment: string;
  /** ISO-8601 UTC. */
  readonly stoppedAt: string;
  readonly actor: string;
}

type Scope = { readonly service: string; readonly environment: string };

/** Persistence port for stopped services, read by the controller on every reconcile. */
export interface StopStore {
  get(scope: Scope): Promise<ServiceStop | undefined>;
  insert(stop: ServiceStop): Promise<void>;
  remove(scope: Scope): Promise<void>;
}
