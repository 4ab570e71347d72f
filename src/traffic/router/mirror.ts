import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import type { ForwardedRequest } from './forwarded-headers.js';
import type { ResponseHook } from './proxy-hooks.js';
import type { UpstreamHandler } from './upstream-request.js';
import type { UpstreamTarget } from './upstream-target.js';

/**
 * Why a request picked for mirroring was not copied: its body is chunked or too large, too many
 * copies are in flight, or the request failed or was cut before its body could be copied.
 */
export type MirrorSkipReason = 'body' | 'concurrency' | 'cancelled';

/** Called when a request picked for mirroring is not copied; unset, it costs nothing. */
export type MirrorSkipHook = (route: RoutingTable, reason: MirrorSkipReason) => void;

/**
 * What happened to a copy: `sent` when it goes out, then `failed` if it gets no answer (refused,
 * reset, timed out). An answer, a 5xx too, is the canary's and counts on the `mirror` track.
 */
export type MirrorCopyHook = (route: RoutingTable, outcome: 'sent' | 'failed') => void;

export interface MirrorSettings {
  /** Copies in flight beyond which new ones are dropped. */
  readonly maxInFlight: number;
  /** A copy unanswered (or silent between body chunks) this long is abandoned. */
  readonly timeoutMs: number;
  /** Largest request body that is copied; larger or chunked bodies are not. */
  readonly maxBodyBytes: number;
  readonly onResponse: ResponseHook | undefined;
  readonly onSkipped: MirrorSkipHook | undefined;
  readonly onCopy: MirrorCopyHook | undefined;
}

/**
 * Fire-and-forget copies of requests to a canary upstream ("shadow traffic"). A copy shares
 * nothing with the user's request but the body chunks teed from it: its answer is drained and
 * dropped, and its errors and timeouts are counted, never logged, never seen by the user.
 */
export class Mirror {
  /** Copies decided on and not yet settled, waiting for a body included. */
  inFlight = 0;

  constructor(readonly settings: MirrorSettings) {}

  /**
   * Copies `req` to `target`. Returns the copy when it still needs the request body: call
   * {@link MirrorCopy.tee} when the body starts streaming upstream, or
   * {@link MirrorCopy.cancel} if it never will. `undefined` when the copy is complete or skipped.
   */
  copy(
    route: RoutingTable,
    target: UpstreamTarget,
    req: IncomingMessage,
    forwarded: ForwardedRequest,
  ): MirrorCopy | undefined {
    const settings = this.settings;
    if (forwarded.bodyLength < 0 || forwarded.bodyLength > settings.maxBodyBytes) {
      settings.onSkipped?.(route, 'body');
      return undefined;
    }
    if (this.inFlight >= settings.maxInFlight) {
      settings.onSkipped?.(route, 'concurrency');
      return undefined;
    }
    const copy = new MirrorCopy(
      this,
      route,
      target,
      req.method ?? 'GET',
      req.url ?? '/',
      forwarded,
    );
    if (forwarded.hasBody) return copy;
    copy.send(null);
    return undefined;
  }
}

/**
 * One copy of a request: collects a (small) body, then sends and drains it as an upstream client
 * handler.
 * It carries `X-Ferry-Mirror: 1`, so the application can skip side effects (the field is never
 * forwarded from a client).
 */
export class MirrorCopy implements UpstreamHandler {
  private readonly startedAt = performance.now();
  private readonly headers: string[];
  private answered = false;
  private sent = false;
  private settled = false;

  constructor(
    private readonly mirror: Mirror,
    private readonly route: RoutingTable,
    private readonly target: UpstreamTarget,
    private readonly method: string,
    private readonly path: string,
    forwarded: ForwardedRequest,
  ) {
    mirror.inFlight++;
    target.begin();
    this.headers = [...forwarded.headers, 'x-ferry-mirror', '1'];
  }

  /** Collects the body chunks of `req` as they stream to the real upstream, then sends. */
  tee(req: IncomingMessage): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.send(Buffer.concat(chunks)));
    req.on('close', () => {
      if (!req.complete) this.cancel();
    });
  }

  /** Gives up on a copy whose body will never come. */
  cancel(): void {
    if (!this.sent && !this.settled) this.mirror.settings.onSkipped?.(this.route, 'cancelled');
    this.settle();
  }

  send(body: Buffer | null): void {
    if (this.settled) return;
    this.sent = true;
    this.mirror.settings.onCopy?.(this.route, 'sent');
    const timeout = this.mirror.settings.timeoutMs;
    this.target.client.dispatch(
      {
        path: this.path,
        method: this.method,
        headers: this.headers,
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      },
      this,
    );
  }

  onConnect(): void {}

  onHeaders(status: number): boolean {
    if (status < 200) return true;
    this.answered = true;
    this.report(status, false);
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    this.settle();
  }

  onError(error: Error): void {
    if (!this.answered) {
      const code = (error as NodeJS.ErrnoException).code;
      this.report(code === 'UND_ERR_HEADERS_TIMEOUT' ? 504 : 502, true);
      this.mirror.settings.onCopy?.(this.route, 'failed');
    }
    this.settle();
  }

  private report(status: number, byRouter: boolean): void {
    const { onResponse } = this.mirror.settings;
    onResponse?.(this.route, 'mirror', this.target.upstream, status, this.startedAt, byRouter);
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.mirror.inFlight--;
    this.target.end();
  }
}
