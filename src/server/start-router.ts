import type { Logger } from 'pino';
import type { FerryConfig } from '../config/ferry-config.js';
import type { RouterSettings } from '../traffic/control/control-protocol.js';
import { RemoteRouter } from '../traffic/control/remote-router.js';
import { RouterSupervisor } from '../traffic/control/router-supervisor.js';
import { routerBuild } from '../traffic/router-process/router-build.js';
import { workerEntry } from '../traffic/router-process/run-router.js';
import { spawnRouter } from '../traffic/router-process/spawn-router.js';

/** ferry.yaml's `router` as the router process takes it. */
export function routerSettingsOf(config: FerryConfig): RouterSettings {
  const { timeouts, trustedProxies, workers } = config.router;
  return { timeouts: { ...timeouts }, trustedProxies: [...trustedProxies], workers };
}

/**
 * Adopts the data folder's `ferry router` process, or starts one (after `beforeSpawn`, which
 * checks that the routes it will open are free), and supervises it while the server runs.
 */
export function startRouter(options: {
  readonly dataDir: string;
  readonly config: FerryConfig;
  readonly logger: Logger;
  /** `ferry server --upgrade`. */
  readonly upgrade?: boolean;
  readonly beforeSpawn?: () => Promise<void>;
}): Promise<RouterSupervisor> {
  return RouterSupervisor.start(
    {
      dataDir: options.dataDir,
      settings: routerSettingsOf(options.config),
      logger: options.logger,
      // The code a fresh worker would run now: an adopted router on older code is upgraded.
      build: routerBuild(workerEntry),
      upgrade: options.upgrade ?? false,
      spawn: (dataDir, settings) => spawnRouter({ dataDir, settings }),
      channel: (state) => new RemoteRouter(state),
    },
    options.beforeSpawn,
  );
}
