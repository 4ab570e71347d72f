import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfigFile } from '../config/load-config.js';
import { composeFerry } from '../compose.js';
import { LocalRuntime } from '../runtime/local/local-runtime.js';
import { systemClock } from '../shared/clock.js';
import { openSqlite } from '../store/open-sqlite.js';
import { Router } from '../traffic/router/router.js';
import { createRouterMetrics } from '../traffic/router/router-metrics.js';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface ServerOptions {
  readonly configPath: string;
  readonly dataDir: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly logLevel?: string;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `ferry server`: loads ferry.yaml (a ConfigError stops it before anything starts), opens the
 * embedded store, re-adopts instances, then serves the API and the routers.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const config = await loadConfigFile(options.configPath, { apiListen: options.listen });
  const logger = pino({ level: options.logLevel ?? 'info' }, pino.destination(2));
  const db = await openSqlite(join(options.dataDir, 'ferry.db'));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ferry_' });
  const metrics = createRouterMetrics(registry);
  const ferry = await composeFerry({
    config,
    dataDir: options.dataDir,
    db,
    runtime: new LocalRuntime({ dataDir: options.dataDir }),
    router: new Router({ metrics }),
    registry,
    routeFigures: (service, environment, listener) =>
      metrics.snapshot(service, environment, listener),
    sampler: metrics,
    clock: systemClock,
    logger,
  });
  await ferry.start();
  const url = await ferry.api.listen({ host: options.listen.host, port: options.listen.port });
  return { url, close: () => ferry.close() };
}
