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

  /**
   * @param killAfterWrites kill the process right after this many writes to the stores passed
   *   with `countWrites` (undefined: never).
   */
  constructor(private readonly killAfterWrites?: number) {
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
   * process is dead; `onEvent` listeners stop hearing at death; `insert` and `update` count as
   * writes when `countWrites` is set, and the write that reaches the limit kills the process
   * once it is done.
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
        const counted = options.countWrites === true && (name === 'insert' || name === 'update');
        return async (...args: unknown[]) => {
          if (!this.alive) return hang();
          const result: unknown = await method.apply(target, args);
          if (counted) this.countWrite();
          if (!this.alive) return hang();
          return result;
        };
      },
    });
  }

  private countWrite(): void {
    this.writes += 1;
    if (this.writes === this.killAfterWrites) this.kill();
  }
}

function hang(): Promise<never> {
  return new Promise(() => undefined);
}
