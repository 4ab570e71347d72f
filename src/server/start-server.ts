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
import { bootstrapAdminToken } from '../features/auth/bootstrap-token.js';
import { tokenRequired, type AuthMode } from '../features/auth/domain/auth-mode.js';
import { logRedaction } from '../features/auth/log-redaction.js';

export interface ServerOptions {
  readonly configPath: string;
  readonly dataDir: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly logLevel?: string;
  /** `auto` (default): a token is required unless the API listens on loopback only. */
  readonly auth?: AuthMode;
}

export interface RunningServer {
  readonly url: string;
  /** The bootstrap admin token, when this start made one: to be shown once. */
  readonly bootstrapToken: string | undefined;
  close(): Promise<void>;
}

/**
 * `ferry server`: loads ferry.yaml (a ConfigError stops it before anything starts), opens the
 * embedded store, re-adopts instances, then serves the API and the routers.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const config = await loadConfigFile(options.configPath);
  const logger = pino(
    { level: options.logLevel ?? 'info', redact: logRedaction },
    pino.destination(2),
  );
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
    tokenRequired: tokenRequired(options.auth ?? 'auto', options.listen.host),
  });
  const bootstrapToken = await bootstrapAdminToken(ferry.tokens, options.dataDir);
  await ferry.start();
  const url = await ferry.api.listen({ host: options.listen.host, port: options.listen.port });
  return { url, bootstrapToken, close: () => ferry.close() };
}
