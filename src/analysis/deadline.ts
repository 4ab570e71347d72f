import { ProviderError } from '../features/analysis/metric-provider.js';
import { formatDuration } from '../config/duration.js';

/**
 * The caller's signal and a timeout as one signal, remembering which of the two fired: a timeout
 * is the provider's failure, the caller's abort is not a failure at all.
 *
 * @example
 * const deadline = new Deadline(ctx.signal, spec.timeoutMs);
 * try { await request(url, { signal: deadline.signal }); }
 * catch (error) { throw deadline.abortError(what) ?? error; }
 * finally { deadline.dispose(); }
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onOuterAbort = (): void => this.controller.abort(this.outer.reason);
  private timedOut = false;

  constructor(
    private readonly outer: AbortSignal,
    readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException('timed out', 'TimeoutError'));
    }, timeoutMs);
    if (outer.aborted) this.onOuterAbort();
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** Aborted when the caller aborts or the time is up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * What to throw once the signal fired: the caller's abort reason as it is, or a ProviderError
   * `{what}: timed out after 2s`. `undefined` when neither happened.
   */
  abortError(what: string): unknown {
    if (this.outer.aborted) return this.outer.reason;
    if (this.timedOut)
      return new ProviderError(`${what}: timed out after ${formatDuration(this.timeoutMs)}`);
    return undefined;
  }

  /** Stops the timer and forgets the caller's signal. */
  dispose(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }
}
