import type { Logger } from 'pino';
import { request } from 'undici';
import type { FerryConfig } from '../../config/ferry-config.js';
import type { EventLog } from '../events/event-log.js';
import type { FerryEvent } from '../events/event.js';
import { toNotification, type Notification } from './notification.js';
import { shownWebhookUrl, withoutWebhookUrl } from './shown-webhook-url.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 6. */
  readonly attempts: number;
  /** Delay before the second attempt, doubled after each. Default 500ms. */
  readonly initialDelayMs: number;
  /** Per attempt. Default 5s. */
  readonly timeoutMs: number;
}

const defaultRetry: RetryPolicy = { attempts: 6, initialDelayMs: 500, timeoutMs: 5_000 };

/**
 * Posts a JSON notification to the service's webhooks when a rollout is aborted or rolled back,
 * retrying with exponential backoff (any non-2xx or network error). The outcome is appended to
 * the event log as `notification.sent` or `notification.failed`.
 */
export class WebhookNotifier {
  private unsubscribe: (() => void) | undefined;
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    /** Read at each event: `ferry apply` may have changed the webhooks. */
    private readonly configs: { readonly current: FerryConfig },
    private readonly events: EventLog,
    private readonly logger: Logger,
    private readonly retry: RetryPolicy = defaultRetry,
  ) {}

  start(): void {
    this.unsubscribe = this.events.subscribe((event) => this.onEvent(event));
  }

  /** Stops listening; deliveries in progress give up at their next retry. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await Promise.allSettled([...this.pending]);
  }

  private onEvent(event: FerryEvent): void {
    const notification = toNotification(event);
    if (!notification) return;
    const hooks = this.configs.current.services[notification.service]?.notifications.webhooks ?? [];
    for (const [index, hook] of hooks.entries()) {
      const delivery = this.deliver({ ...hook, index }, notification).catch((error: unknown) =>
        this.logger.error(
          { url: shownWebhookUrl(hook.url), error: withoutWebhookUrl(String(error), hook.url) },
          'webhook delivery crashed',
        ),
      );
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  private async deliver(
    hook: {
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      /** Its place in the service's list: with the URL masked, it tells hooks apart. */
      readonly index: number;
    },
    notification: Notification,
  ): Promise<void> {
    let delay = this.retry.initialDelayMs;
    let lastError = '';
    for (let attempt = 1; attempt <= this.retry.attempts && !this.stopped; attempt++) {
      try {
        const res = await request(hook.url, {
          method: 'POST',
          headers: { ...hook.headers, 'content-type': 'application/json' },
          body: JSON.stringify(notification),
          headersTimeout: this.retry.timeoutMs,
          bodyTimeout: this.retry.timeoutMs,
        });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          await this.record('notification.sent', hook, notification, attempt, null);
          return;
        }
        lastError = `status ${res.statusCode}`;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        lastError = withoutWebhookUrl(message, hook.url);
      }
      if (attempt < this.retry.attempts) {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        delay *= 2;
      }
    }
    await this.record('notification.failed', hook, notification, this.retry.attempts, lastError);
  }

  private async record(
    kind: string,
    hook: { readonly url: string; readonly index: number },
    notification: Notification,
    attempts: number,
    error: string | null,
  ): Promise<void> {
    await this.events.append({
      actor: 'notifier',
      kind,
      subject: `deployment/${notification.deploymentId}`,
      payload: {
        service: notification.service,
        environment: notification.environment,
        url: shownWebhookUrl(hook.url),
        webhook: hook.index,
        about: notification.kind,
        attempts,
        error,
      },
    });
  }
}
