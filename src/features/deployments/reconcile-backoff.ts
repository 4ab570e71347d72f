import { isDiskFull, isStorageError } from '../../errors/storage-errors.js';

export interface ReconcileBackoffOptions {
  /** The loop's period while reconciles succeed; the first retry of a storage fault waits twice that. */
  readonly tickMs: number;
  /** Longest wait between failed attempts. Default 8s. */
  readonly maxDelayMs?: number;
  /** At most one report per this period while failures go on. Default 30s. */
  readonly reportEveryMs?: number;
}

/** What the loop does after an attempt: how long to wait, and what to say, if anything. */
export interface BackoffDecision {
  readonly delayMs: number;
  /** Whether the last attempt failed: then only a stop cuts the wait short, not a wake. */
  readonly backingOff: boolean;
  readonly report?:
    | { readonly level: 'error'; readonly message: string; readonly error: unknown }
    | { readonly level: 'info'; readonly message: string };
}

/**
 * How the controller's loop reacts to failing reconciles. A storage fault (a full disk, a store
 * that cannot be written) hits every write alike: the loop waits twice as long after each
 * failure, up to a cap, so the fault costs neither CPU nor log space. Any other failure is
 * retried at the usual tick (one deployment's trouble must not slow the others), but never
 * sooner. Either way the fault is reported once when it starts, then once per period with the
 * count of failures, and once when it is over. Pure: the time is passed in.
 *
 * @example
 * const backoff = new ReconcileBackoff({ tickMs: 250 });
 * backoff.failed(error, now).delayMs // 500, then 1000, ... up to 8000
 */
export class ReconcileBackoff {
  private failures = 0;
  private lastReportAt = 0;
  private readonly maxDelayMs: number;
  private readonly reportEveryMs: number;

  constructor(private readonly options: ReconcileBackoffOptions) {
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.reportEveryMs = options.reportEveryMs ?? 30_000;
  }

  succeeded(): BackoffDecision {
    const failures = this.failures;
    this.failures = 0;
    const decision = { delayMs: this.options.tickMs, backingOff: false };
    if (failures === 0) return decision;
    return {
      ...decision,
      report: { level: 'info', message: `reconciling again after ${failures} failed attempts` },
    };
  }

  failed(error: unknown, now: number): BackoffDecision {
    this.failures += 1;
    const delayMs = isStorageError(error)
      ? Math.min(this.maxDelayMs, this.options.tickMs * 2 ** this.failures)
      : this.options.tickMs;
    const decision = { delayMs, backingOff: true };
    if (this.failures > 1 && now - this.lastReportAt < this.reportEveryMs) return decision;
    this.lastReportAt = now;
    const what = isDiskFull(error)
      ? 'the data disk is full; free space on it and Ferry resumes by itself'
      : 'reconcile failed';
    const count = this.failures > 1 ? ` (${this.failures} failed attempts so far)` : '';
    const seconds = (ms: number) => `${ms / 1000}s`;
    const retry = isStorageError(error)
      ? `next attempt in ${seconds(delayMs)}, then at most every ${seconds(this.maxDelayMs)}`
      : `retrying every ${seconds(delayMs)}`;
    return {
      ...decision,
      report: { level: 'error', message: `${what}${count}; ${retry}`, error },
    };
  }
}
