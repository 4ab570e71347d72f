import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { composeApi } from './composition/compose-api.js';
import { composeServices, type ComposedServices } from './composition/compose-services.js';
import type { FerryParts } from './composition/ferry-parts.js';
import { realParts } from './composition/real-parts.js';
import { ConfigHolder } from './config/config-holder.js';
import type { FerryConfig, ListenAddress } from './config/ferry-config.js';
import type { ConfigApplyService } from './features/config-apply/config-apply-service.js';
import { systemScheduler, type Scheduler } from './features/analysis/scheduler.js';
import { LeaseLock } from './features/leases/lease-lock.js';
import { randomLeaseOwner } from './features/leases/lease-owner.js';
import type { TokenService } from './features/auth/token-service.js';
import type { DeploymentController } from './features/deployments/deployment-controller.js';
import type { DeploymentService } from './features/deployments/deployment-service.js';
import type { EventLog } from './features/events/event-log.js';
import type { ZodApp } from './server/zod-app.js';
import type { Clock } from './shared/clock.js';
import type { Database } from './store/schema.js';
import type { RouterSupervisor } from './traffic/control/router-supervisor.js';

export type { FerryParts } from './composition/ferry-parts.js';

/** What the whole server is built from, besides its adapters. */
export interface FerrySettings {
  /** The configuration at start; `ferry apply` and SIGHUP replace it in the composition's holder. */
  readonly config: FerryConfig;
  /** The API's own address, which no route of an applied configuration may take. */
  readonly apiListen?: ListenAddress;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Served as Prometheus text at `/metrics` (`ferry server` appends its router's series). */
  readonly registry?: Registry;
  /** Time for analysis; the wall clock by default. */
  readonly scheduler?: Scheduler;
  /**
   * Whether every API call needs a bearer token (see `tokenRequired`); without, tokenless calls
   * pass and sent tokens are still checked. Default false.
   */
  readonly tokenRequired?: boolean;
  /**
   * This server's id in the scope leases it holds (see `dataFolderLeaseOwner`); a random one per
   * composition by default.
   */
  readonly leaseOwner?: string;
}

/**
 * The adapters: either `parts` (fakes in a test, or any other set), or the opened database and
 * the supervised router process, on which `realParts` builds the real ones (Kysely stores, local
 * processes, the router process).
 */
export type ComposeFerryOptions = FerrySettings &
  (
    | { readonly parts: FerryParts; readonly db?: undefined }
    | {
        readonly db: Kysely<Database>;
        readonly router: RouterSupervisor;
        readonly parts?: undefined;
      }
  );

export interface Ferry {
  readonly api: ZodApp;
  readonly controller: DeploymentController;
  readonly events: EventLog;
  readonly deployments: DeploymentService;
  readonly tokens: TokenService;
  /** The configuration every reader takes at use time (`holder.current`). */
  readonly config: ConfigHolder;
  /** `ferry apply`, SIGHUP and the reconcile on start. */
  readonly configApply: ConfigApplyService;
  /** Re-adopts instances and starts the controller. */
  start(): Promise<void>;
  /**
   * Stops the API and the controller, lets go of the router and releases the scope leases;
   * instances keep running, and so does the router process, which goes on serving every route
   * (the next server adopts both).
   */
  close(): Promise<void>;
}

/**
 * The composition root: the one place that wires stores, services, the controller and the API
 * from their parts, feature by feature (src/composition/). Tests pass other parts (fakes, a
 * manual clock) to the same graph.
 */
export async function composeFerry(options: ComposeFerryOptions): Promise<Ferry> {
  const holder = new ConfigHolder(options.config);
  const parts = options.parts ?? realParts({ ...options, holder });
  // Only the server holding a service/environment's lease advances it (docs/architecture.md).
  const locks = new LeaseLock({
    store: parts.stores.leases,
    owner: options.leaseOwner ?? randomLeaseOwner(),
    scheduler: options.scheduler ?? { ...systemScheduler, clock: options.clock },
  });
  const services = composeServices({ ...options, locks, holder }, parts);
  const readiness = { ready: false };
  const api = await composeApi({ ...options, isReady: () => readiness.ready, services, parts });
  return assemble(api, services, parts, readiness, locks);
}

/** The server's handle: starts the controller, and closes everything in dependency order. */
function assemble(
  api: ZodApp,
  services: ComposedServices,
  parts: FerryParts,
  readiness: { ready: boolean },
  locks: LeaseLock,
): Ferry {
  const { core, analysis, notifier } = services;
  let unwatch: (() => void) | undefined;
  return {
    api,
    controller: core.controller,
    events: services.events,
    deployments: core.deployments,
    tokens: services.tokens.tokens,
    config: services.holder,
    configApply: services.configApply,
    async start() {
      notifier.start();
      await services.approvals.start();
      await core.controller.start();
      services.promotion.autoPromoter.start();
      services.migrations?.autoContractor.start();
      unwatch = services.configApply.watch();
      readiness.ready = true;
    },
    async close() {
      readiness.ready = false;
      unwatch?.();
      await api.close();
      await services.promotion.autoPromoter.stop();
      await services.migrations?.autoContractor.stop();
      await services.approvals.stop();
      await core.controller.stop();
      await analysis.stop();
      await core.settle();
      await analysis.settle();
      await notifier.stop();
      await parts.runtime.detach();
      await parts.router.close();
      await locks.close();
      await parts.stores.close();
    },
  };
}
