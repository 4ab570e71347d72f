import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { describeNetworkError } from '../../analysis/describe-network-error.js';
import { formatDuration } from '../../config/duration.js';
import type { SmokeCheck } from '../../config/ferry-config.js';

/** Bytes of a response read at most; `expectBody` is matched against them. */
const maxBodyBytes = 64 * 1024;
/** Characters of a body shown when it does not match. */
const shownBodyChars = 80;

export type SmokeStatus =
  | { readonly state: 'pending' }
  | { readonly state: 'passed' }
  | { readonly state: 'failed'; readonly message: string };

/** A new instance and the service's smoke checks to run against it. */
export interface SmokeTarget {
  readonly instanceId: string;
  readonly host: string;
  readonly port: number;
  readonly checks: readonly SmokeCheck[];
}

export interface SmokeChecksOptions {
  /** Called once per instance when it becomes passed or failed (not for a forgotten one). */
  readonly onSettled?: (instanceId: string, status: SmokeStatus) => void;
  /** Rounds in all, the first included. Default 3. */
  readonly attempts?: number;
  /** Wait between rounds: an instance that just turned ready may still be warming up. Default 500ms. */
  readonly retryDelayMs?: number;
}

interface Run {
  status: SmokeStatus;
  readonly abort: AbortController;
}

const pending: SmokeStatus = { state: 'pending' };
const passed: SmokeStatus = { state: 'passed' };

/**
 * Runs a service's smoke checks against a new instance before it takes user traffic: each check
 * in order against `http://host:port/path`, the whole round again after `retryDelayMs` when one
 * fails, `failed` only after the last attempt. Callers poll `status()`, which starts the checks
 * on its first call and never throws.
 *
 * @example
 * const smoke = new SmokeChecks({ onSettled: (id, status) => log(id, status) });
 * smoke.status({ instanceId: 'i-1', host: '127.0.0.1', port: 8080, checks }); // { state: 'pending' }
 * await smoke.settle();
 * smoke.status({ instanceId: 'i-1', host: '127.0.0.1', port: 8080, checks });
 * // { state: 'failed', message: 'smoke check 2/3 (GET /api/ping): answered 503, expected 200 (after 3 attempts)' }
 */
export class SmokeChecks {
  private readonly runs = new Map<string, Run>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: SmokeChecksOptions = {}) {
    this.attempts = Math.max(1, Math.floor(options.attempts ?? 3));
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 500);
  }

  /**
   * Where the instance's checks stand; the first call for an instance starts them (in the
   * background). An instance with no checks is passed at once.
   */
  status(target: SmokeTarget): SmokeStatus {
    const known = this.runs.get(target.instanceId);
    if (known) return known.status;
    const run: Run = { status: pending, abort: new AbortController() };
    this.runs.set(target.instanceId, run);
    if (target.checks.length === 0) {
      this.finish(target.instanceId, run, passed);
      return run.status;
    }
    const work: Promise<void> = this.execute(target, run.abort.signal)
      .then(
        (status) => this.finish(target.instanceId, run, status),
        (error: unknown) =>
          this.finish(target.instanceId, run, {
            state: 'failed',
            message: `smoke checks could not run: ${describeNetworkError(error)}`,
          }),
      )
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return run.status;
  }

  /** Drops what is known of an instance (it stopped); a later status() starts over. */
  forget(instanceId: string): void {
    const run = this.runs.get(instanceId);
    if (!run) return;
    this.runs.delete(instanceId);
    run.abort.abort();
  }

  /** Resolves when no check is in flight. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The final status, or undefined when the run was cancelled by forget(). */
  private async execute(
    target: SmokeTarget,
    signal: AbortSignal,
  ): Promise<SmokeStatus | undefined> {
    let message = '';
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      if (attempt > 1) {
        try {
          await sleep(this.retryDelayMs, undefined, { signal });
        } catch {
          return undefined; // forgotten while waiting
        }
      }
      const failure = await runRound(target, signal);
      if (signal.aborted) return undefined;
      if (failure === undefined) return passed;
      message = failure;
    }
    const tries = this.attempts === 1 ? '1 attempt' : `${this.attempts} attempts`;
    return { state: 'failed', message: `${message} (after ${tries})` };
  }

  private finish(instanceId: string, run: Run, status: SmokeStatus | undefined): void {
    if (status === undefined || this.runs.get(instanceId) !== run) return;
    run.status = status;
    try {
      this.options.onSettled?.(instanceId, status);
    } catch {
      // The listener's failure is its own: the status stands and nothing is left unhandled.
    }
  }
}

/** Runs the checks in order; the first failure, prefixed with which check it was, or undefined. */
async function runRound(target: SmokeTarget, cancel: AbortSignal): Promise<string | undefined> {
  const total = target.checks.length;
  for (const [index, check] of target.checks.entries()) {
    const reason = await runCheck(target, check, cancel);
    if (cancel.aborted) return undefined;
    if (reason !== undefined) {
      return `smoke check ${index + 1}/${total} (${methodOf(check)} ${check.path}): ${reason}`;
    }
  }
  return undefined;
}

/** Why one check failed (`answered 500, expected 200`, `connection refused`), or undefined. */
async function runCheck(
  target: SmokeTarget,
  check: SmokeCheck,
  cancel: AbortSignal,
): Promise<string | undefined> {
  let pattern: RegExp | undefined;
  try {
    pattern = check.expectBody === undefined ? undefined : new RegExp(check.expectBody);
  } catch {
    return `expectBody /${check.expectBody}/ is not a valid pattern`;
  }
  const wanted = check.expectStatus.length > 0 ? check.expectStatus : [200];
  let timeout: AbortSignal | undefined;
  try {
    timeout = AbortSignal.timeout(check.timeoutMs);
    const response = await request(urlOf(target, check.path), {
      method: methodOf(check),
      signal: eitherSignal(cancel, timeout),
    });
    const body = await readPrefix(response.body, maxBodyBytes);
    if (!wanted.includes(response.statusCode)) {
      return `answered ${response.statusCode}, expected ${wanted.join(' or ')}`;
    }
    if (pattern !== undefined && !pattern.test(body)) {
      return `body does not match /${pattern.source}/, got ${JSON.stringify(snippet(body))}`;
    }
    return undefined;
  } catch (error) {
    if (timeout?.aborted && !cancel.aborted) {
      return `timed out after ${formatDuration(check.timeoutMs)}`;
    }
    return describeNetworkError(error);
  }
}

function methodOf(check: SmokeCheck): string {
  return (check.method || 'GET').toUpperCase();
}

function urlOf(target: SmokeTarget, path: string): string {
  const host =
    target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host;
  return `http://${host}:${target.port}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** The first `limitBytes` of a body as UTF-8; the rest is not downloaded. */
async function readPrefix(body: AsyncIterable<Uint8Array>, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const bytes = (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)).subarray(
      0,
      limitBytes - total,
    );
    chunks.push(bytes);
    total += bytes.length;
    // Leaving the loop destroys the stream, and with it the connection.
    if (total >= limitBytes) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function snippet(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > shownBodyChars ? `${line.slice(0, shownBodyChars - 3)}...` : line;
}

/** Aborts when either does (`AbortSignal.any` needs Node 20.3; engines allow any Node 20). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const both = new AbortController();
  const forward = (source: AbortSignal) => () => both.abort(source.reason);
  if (a.aborted) both.abort(a.reason);
  else if (b.aborted) both.abort(b.reason);
  else {
    a.addEventListener('abort', forward(a), { once: true, signal: both.signal });
    b.addEventListener('abort', forward(b), { once: true, signal: both.signal });
  }
  return both.signal;
}
