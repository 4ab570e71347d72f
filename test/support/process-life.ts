/** A write to a store, as {@link ProcessLife} sees it. */
export interface StoreWrite {
  /** `insert`, `update` or `commit` (a deployment's change with its events). */
  readonly method: string;
  readonly args: readonly unknown[];
}

/**
 * When a process dies: right after its n-th write to the counted stores, or right after the
 * first write the predicate picks.
 */
export type KillPoint = number | ((write: StoreWrite) => boolean);

/**
 * The life of one simulated server process, for tests that kill a controller at an exact point.
 * Every part a process reaches the world through (stores, runtime, router) is seen through
 * {@link ProcessLife.through}; once {@link ProcessLife.kill} is called, every asynchronous call
 * through it hangs for ever and runtime events are no longer delivered, as after a SIGKILL. What
 * the dead process already handed to the world (a write, a started instance) stays done.
 */
export class ProcessLife {
  private alive = true;
  private writes = 0;
  private readonly died: Promise<void>;
  private resolveDied: () => void = () => undefined;

  /** @param killAt when to kill the process (undefined: never). */
  constructor(private readonly killAt?: KillPoint) {
    this.died = new Promise((resolve) => {
      this.resolveDied = resolve;
    });
  }

  get dead(): boolean {
    return !this.alive;
  }

  /** Resolves when the process dies. */
  get death(): Promise<void> {
    return this.died;
  }

  /** Writes counted so far. */
  get writeCount(): number {
    return this.writes;
  }

  kill(): void {
    this.alive = false;
    this.resolveDied();
  }

  /**
   * `part` as this process sees it: methods named in `sync` are called through whatever
   * happens (reads of memory, such as a runtime's `get`); any other method hangs once the
   * process is dead; `onEvent` listeners stop hearing at death; `insert`, `update` and `commit` count as
   * writes when `countWrites` is set, and the write at the kill point kills the process once it
   * is done.
   */
  through<T extends object>(
    part: T,
    options: { readonly sync?: readonly string[]; readonly countWrites?: boolean } = {},
  ): T {
    const sync = new Set(options.sync ?? []);
    return new Proxy(part, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function' || typeof name !== 'string') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (sync.has(name)) return method.bind(target);
        if (name === 'onEvent')
          return (listener: (event: unknown) => void) =>
            method.call(target, (event: unknown) => {
              if (this.alive) listener(event);
            });
        const counted =
          options.countWrites === true && ['insert', 'update', 'commit'].includes(name);
        return async (...args: unknown[]) => {
          if (!this.alive) return hang();
          const result: unknown = await method.apply(target, args);
          if (counted) this.countWrite({ method: name, args });
          if (!this.alive) return hang();
          return result;
        };
      },
    });
  }

  private countWrite(write: StoreWrite): void {
    this.writes += 1;
    const { killAt } = this;
    if (typeof killAt === 'number' ? this.writes === killAt : killAt?.(write)) this.kill();
  }
}

function hang(): Promise<never> {
  return new Promise(() => undefined);
}
