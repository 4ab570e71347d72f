import type {
  InstanceRuntime,
  RuntimeEvent,
} from '../../src/features/instances/instance-runtime.js';

type EventOf<K extends RuntimeEvent['kind']> = Extract<RuntimeEvent, { kind: K }>;

/**
 * Every event of the runtimes it listens to, for any InstanceRuntime (fake or real), with a wait
 * for the n-th event of a kind. The timeout only guards a test that would hang; nothing is timed.
 */
export class RuntimeEventRecorder {
  readonly events: RuntimeEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribes: (() => void)[] = [];

  listen(runtime: InstanceRuntime): this {
    const unsubscribe = runtime.onEvent((event) => {
      this.events.push(event);
      for (const wake of [...this.waiters]) wake();
    });
    this.unsubscribes.push(unsubscribe);
    return this;
  }

  /** Events of one instance, optionally of one kind. */
  of<K extends RuntimeEvent['kind']>(instanceId: string, kind?: K): EventOf<K>[] {
    return this.events.filter(
      (event): event is EventOf<K> =>
        event.status.spec.instanceId === instanceId && (kind === undefined || event.kind === kind),
    );
  }

  /** Kinds of the events of one instance, in order. */
  kinds(instanceId: string): RuntimeEvent['kind'][] {
    return this.of(instanceId).map((event) => event.kind);
  }

  /** Resolves with the `count`-th event of the kind for the instance (seen ones count). */
  waitFor<K extends RuntimeEvent['kind']>(
    instanceId: string,
    kind: K,
    count = 1,
    timeoutMs = 30_000,
  ): Promise<EventOf<K>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.of(instanceId, kind)[count - 1];
        if (found === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.kinds(instanceId).join(', ');
        reject(new Error(`no ${count}× ${kind} of ${instanceId} in ${timeoutMs}ms; saw: ${seen}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }
}
