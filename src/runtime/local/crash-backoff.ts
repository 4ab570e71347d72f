/** How the supervisor spaces restarts of a crashing instance. */
export interface BackoffOptions {
  /** Delay before the first restart. Default 1000. */
  readonly initialMs: number;
  /** The delay doubles per crash up to this. Default 30000. */
  readonly maxMs: number;
  /** Restarts in a row without becoming ready that count as a crash loop. Default 3. */
  readonly crashLoopRestarts: number;
  /** Ready for this long, the instance counts as healthy again: the delay starts over. Default 10000. */
  readonly resetAfterReadyMs: number;
}

export const defaultBackoff: BackoffOptions = {
  initialMs: 1000,
  maxMs: 30_000,
  crashLoopRestarts: 3,
  resetAfterReadyMs: 10_000,
};

/** What to do about one crash. */
export interface CrashDecision {
  readonly restartInMs: number;
  /** Restarts in a row (this one included) without the instance becoming ready. */
  readonly restartsWithoutReady: number;
  /** True exactly once per streak: when `restartsWithoutReady` reaches the threshold. */
  readonly crashLoop: boolean;
}

/**
 * Exponential backoff of one instance, kept apart from timers and processes so it can be tested
 * on its own. The delay doubles per crash (`initialMs`, `2 × initialMs`, ... up to `maxMs`) and
 * starts over once the instance stayed ready for `resetAfterReadyMs`; the crash-loop streak
 * starts over as soon as the instance becomes ready.
 *
 * @example
 * const backoff = new CrashBackoff({ ...defaultBackoff, initialMs: 100 });
 * backoff.onCrash().restartInMs // 100, then 200, 400, ...
 */
export class CrashBackoff {
  private crashes = 0;
  private withoutReady = 0;
  private readySince: number | undefined;

  constructor(private readonly options: BackoffOptions) {}

  /** The instance crashed at `now`: how long to wait, and whether this is a crash loop. */
  onCrash(now: number): CrashDecision {
    this.checkStable(now);
    this.readySince = undefined;
    const restartInMs = Math.min(
      this.options.maxMs,
      this.options.initialMs * 2 ** Math.min(this.crashes, 30),
    );
    this.crashes += 1;
    this.withoutReady += 1;
    return {
      restartInMs,
      restartsWithoutReady: this.withoutReady,
      crashLoop: this.withoutReady === this.options.crashLoopRestarts,
    };
  }

  /** The readiness probe passed (again) at `now`. */
  onReady(now: number): void {
    this.withoutReady = 0;
    this.readySince ??= now;
    this.checkStable(now);
  }

  /** The instance stopped being ready (or is being restarted by liveness). */
  onNotReady(now: number): void {
    this.checkStable(now);
    this.readySince = undefined;
  }

  private checkStable(now: number): void {
    if (this.readySince !== undefined && now - this.readySince >= this.options.resetAfterReadyMs) {
      this.crashes = 0;
    }
  }
}
