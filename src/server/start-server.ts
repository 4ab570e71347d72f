import { pino } from 'pino';
import type { FerryConfig } from '../config/ferry-config.js';
import { formatConfigWarning } from '../config/config-problem.js';
import { loadConfigFile } from '../config/load-config.js';
import {
  reloadConfigFile,
  type ReloadOutcome,
} from '../features/config-apply/reload-config-file.js';
import { composeFerry, type Ferry } from '../compose.js';
import { KyselyDeploymentStore } from '../features/deployments/kysely-deployment-store.js';
import { KyselyStopStore } from '../features/deployments/kysely-stop-store.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { collectDefaultMetrics } from 'prom-client';
import { bootstrapAdminToken } from '../features/auth/bootstrap-token.js';
import { dataFolderLeaseOwner } from '../features/leases/lease-owner.js';
import { tokenRequired, type AuthMode } from '../features/auth/domain/auth-mode.js';
import { logRedaction } from '../features/auth/log-redaction.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { addressInUse, checkAddressFree } from './check-address-free.js';
import type { DataFolderLock } from './data-folder-lock.js';
import { openServerStore } from './open-server-store.js';
import { takeDataFolder } from './take-data-folder.js';
import type { RoutingTable } from '../features/routing/traffic-router.js';
import type { RouterSupervisor } from '../traffic/control/router-supervisor.js';
import { ServerRegistry } from './server-registry.js';
import { startRouter } from './start-router.js';

export interface ServerOptions {
  readonly configPath: string;
  readonly dataDir: string;
  /**
   * A PostgreSQL URL (`--store`, FERRY_STORE) the database lives in instead of `ferry.db` in the
   * data folder, which keeps artifacts, releases and logs either way.
   */
  readonly store?: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly logLevel?: string;
  /** `auto` (default): a token is required unless the API listens on loopback only. */
  readonly auth?: AuthMode;
  /**
   * The data folder, already prepared and locked (the CLI takes it before loading the server's
   * modules, so a second server is told at once). The server releases it when it closes or fails.
   */
  readonly dataFolder?: DataFolderLock;
  /**
   * `--upgrade`: the adopted router replaces its workers with ones running this server's code
   * (one by one, refusing no request). Done anyway when they run another build.
   */
  readonly upgradeRouter?: boolean;
  /**
   * The server's time; default the system clock. An in-process end-to-end test moves it ahead
   * (a rollback window, a soak) while everything else stays real.
   */
  readonly clock?: Clock;
}

export interface RunningServer {
  readonly url: string;
  /** The bootstrap admin token, when this start made one: to be shown once. */
  readonly bootstrapToken: string | undefined;
  /** The router process serving the routes; it keeps serving after `close`. */
  readonly routerPid: number;
  /**
   * Reads the `--config` file again and applies it as `ferry apply` does (SIGHUP): the
   * difference, or the problems with file:line:col (the configuration it had is kept).
   */
  reload(): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

/**
 * `ferry server`: loads ferry.yaml (a ConfigError stops it before anything starts; warnings are
 * logged), takes the data folder (one server per folder), opens the store (SQLite in the folder,
 * or PostgreSQL), checks that it can listen where it must, adopts the data folder's router
 * process or starts one, re-adopts instances, then serves the API. A failure before the router
 * is taken on leaves nothing running; a later one leaves the router serving the routes it holds
 * (as after any stop: it outlives the server), but no controller and no lock.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const lock = options.dataFolder ?? takeDataFolder(options.dataDir);
  const dataDir = lock.dataDir;
  let ferry: Ferry | undefined;
  let router: RouterSupervisor | undefined;
  try {
    const config = await loadConfigFile(options.configPath, { apiListen: options.listen });
    const store = await openServerStore(dataDir, options.store);
    const db = store.db;
    const logger = pino(
      { level: options.logLevel ?? 'info', redact: logRedaction },
      pino.destination(2),
    );
    try {
      await checkAddressFree(options.listen, 'the API (--listen)');
      router = await startRouter({
        dataDir,
        config,
        logger,
        upgrade: options.upgradeRouter ?? false,
        beforeSpawn: () => checkRoutesFree(db, config, []),
      });
      // An adopted router holds its routes' ports: those are not checked, the others are.
      if (router.origin === 'adopted') await checkRoutesFree(db, config, await router.tables());
    } catch (error) {
      await router?.close().catch(() => undefined);
      router = undefined;
      await db.destroy();
      throw error;
    }
    for (const warning of config.warnings) logger.warn(formatConfigWarning(warning));
    const supervised = router;
    const registry = new ServerRegistry(() => supervised.metricsText());
    collectDefaultMetrics({ register: registry, prefix: 'ferry_' });
    ferry = await composeFerry({
      config,
      apiListen: options.listen,
      dataDir,
      db,
      router,
      registry,
      clock: options.clock ?? systemClock,
      logger,
      tokenRequired: tokenRequired(options.auth ?? 'auto', options.listen.host),
      leaseOwner: dataFolderLeaseOwner(dataDir),
    });
    const bootstrapToken = await bootstrapAdminToken(ferry.tokens, dataDir);
    try {
      await ferry.start();
    } catch (error) {
      throw store.fault(error);
    }
    // What runs follows the file: a live spec that differs from it rolls out again.
    await ferry.configApply.reconcile('config');
    let url: string;
    try {
      url = await ferry.api.listen({ host: options.listen.host, port: options.listen.port });
    } catch (error) {
      throw addressInUse(options.listen, 'the API (--listen)', error);
    }
    const running = ferry;
    return {
      url,
      bootstrapToken,
      get routerPid() {
        return supervised.channel.state.pid;
      },
      reload: () => reloadConfigFile(running.configApply, options.configPath, logger),
      async close() {
        try {
          await running.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    if (ferry) await ferry.close().catch(() => undefined);
    else await router?.close().catch(() => undefined);
    lock.release();
    throw error;
  }
}

/**
 * The routes the router opens at once (those of every service/environment with a deployment that
 * is not stopped), each checked before anything is adopted, so a port held by another process
 * stops the start. Routes the adopted router already serves (`held`) are its own: not checked;
 * nor are routes of environments on HAProxy: the HAProxy this server adopts holds them.
 */
async function checkRoutesFree(
  db: Kysely<Database>,
  config: FerryConfig,
  held: readonly RoutingTable[],
): Promise<void> {
  const stops = new KyselyStopStore(db);
  const onHaproxy = new Set(
    config.environments.filter((e) => e.dataPlane === 'haproxy').map((e) => e.name),
  );
  const heldBy = (listen: { host: string; port: number }) =>
    held.some((t) => t.listen.host === listen.host && t.listen.port === listen.port);
  for (const latest of await new KyselyDeploymentStore(db).listLatest()) {
    if (onHaproxy.has(latest.environment) || (await stops.get(latest))) continue;
    const listen = latest.spec.routes[latest.environment];
    if (listen && !heldBy(listen))
      await checkAddressFree(listen, `the route of ${latest.service}/${latest.environment}`);
  }
}
