/**
 * The guard that only one controller changes a service/environment at a time (key
 * `service/environment`): the reconciler and the API's deployment and rollout commands all take
 * it, so they never overwrite each other's state. `KeyedQueue` is the in-process form; `LeaseLock`
 * (src/features/leases/) adds a lease in the store, so that one server at a time holds a key.
 */
export interface ScopeLock {
  /** Runs `work` while holding the lock of `key`; concurrent calls for one key run in order. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}
