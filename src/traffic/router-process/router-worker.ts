import { Registry } from 'prom-client';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import type { ImmediateSampleWindow } from '../../features/routing/traffic-samples.js';
import { FerryError } from '../../errors/ferry-error.js';
import { createRouterMetrics } from '../router/router-metrics.js';
import { Router } from '../router/router.js';
import type { RouterSettings } from '../control/control-protocol.js';
import { LastAnswerBook } from './last-answers.js';
import type {
  WorkerDetail,
  WorkerFinal,
  WorkerLoadResult,
  WorkerRequest,
  WorkerWindowRead,
} from './worker-messages.js';

/**
 * One worker of `ferry router`: Ferry's {@link Router} with its own metrics, driven by the
 * primary's requests. Stateless beyond what the primary sends: a fresh worker gets every table.
 */
export class RouterWorker {
  private readonly registry = new Registry();
  private readonly metrics = createRouterMetrics(this.registry);
  private readonly last = new LastAnswerBook();
  private readonly router: Router;
  private readonly windows = new Map<string, ImmediateSampleWindow>();
  /** The service/environment each window was opened on, by window id. */
  private readonly windowListener = new Map<
    string,
    { readonly service: string; readonly environment: string }
  >();

  constructor(settings: RouterSettings) {
    this.router = new Router({
      metrics: this.metrics,
      onResponse: this.last.onResponse,
      timeouts: settings.timeouts,
      trustedProxies: settings.trustedProxies,
    });
  }

  /** Does what the primary asks; a FerryError (a listen conflict) keeps its code on the way back. */
  async handle(request: WorkerRequest): Promise<unknown> {
    switch (request.op) {
      case 'load':
        return this.load(request.tables);
      case 'apply':
        this.remember(request.table);
        return this.router.apply(request.table);
      case 'remove':
        return this.router.remove(request.service, request.environment, request.listener);
      case 'drain':
        return this.router.drain(request.upstreamId, request.timeoutMs, request.tunnelsMs);
      case 'detail': {
        const { service, environment, listener } = request;
        const answer: WorkerDetail = {
          detail: this.metrics.detail(service, environment, listener),
          last: this.last.read(service, environment, listener),
        };
        return answer;
      }
      case 'window-open': {
        if (this.windows.has(request.window)) return undefined;
        const window = this.metrics.open(request.service, request.environment, {
          maxLatencySamples: request.maxLatencySamples,
        });
        this.windows.set(request.window, window);
        this.windowListener.set(request.window, request);
        return undefined;
      }
      case 'window-read': {
        const window = this.windows.get(request.window);
        if (window === undefined) throw new FerryError('not_found', 'no such window');
        return this.readWindow(request.window, window);
      }
      case 'window-close': {
        // Its last read goes to the primary, which answers for the closed window from then on.
        const window = this.windows.get(request.window);
        if (window === undefined) return undefined;
        const final = this.readWindow(request.window, window);
        window.close();
        this.windows.delete(request.window);
        this.windowListener.delete(request.window);
        return final;
      }
      case 'metrics':
        return this.registry.getMetricsAsJSON();
      case 'retire':
        await this.router.retire(request.graceMs, request.cutMs);
        return this.final();
      case 'close':
        return this.router.close();
    }
  }

  /** Listeners whose figures a retired worker hands over. */
  private readonly listeners = new Map<string, RoutingTable>();

  private remember(table: RoutingTable): void {
    this.listeners.set(`${table.service}/${table.environment}/${table.listener ?? 'main'}`, table);
  }

  private final(): WorkerFinal {
    const details: Record<string, WorkerDetail> = {};
    for (const [key, { service, environment, listener = 'main' }] of this.listeners) {
      details[key] = {
        detail: this.metrics.detail(service, environment, listener),
        last: this.last.read(service, environment, listener),
      };
    }
    const windows: Record<string, WorkerWindowRead> = {};
    for (const [id, window] of this.windows) windows[id] = this.readWindow(id, window);
    return { details, windows };
  }

  private readWindow(id: string, window: ImmediateSampleWindow): WorkerWindowRead {
    const opened = this.windowListener.get(id);
    return {
      samples: window.read(),
      last: opened === undefined ? {} : this.last.read(opened.service, opened.environment, 'main'),
    };
  }

  private async load(tables: readonly RoutingTable[]): Promise<WorkerLoadResult> {
    const failed: { key: string; message: string }[] = [];
    for (const table of tables) {
      this.remember(table);
      try {
        await this.router.apply(table);
      } catch (error) {
        failed.push({
          key: `${table.service}/${table.environment}/${table.listener ?? 'main'}`,
          message: (error as Error).message,
        });
      }
    }
    return { failed };
  }
}
