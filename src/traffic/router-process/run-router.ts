import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../../errors/ferry-error.js';
import { ControlClient } from '../control/control-client.js';
import {
  controlPaths,
  routerFolder,
  routerStatePath,
  routerTablesPath,
  type RouterSettings,
} from '../control/control-protocol.js';
import { startControlServer } from './control-server.js';
import { createRouterLog } from './router-log.js';
import { RouterPrimary } from './router-primary.js';
import {
  processAlive,
  readRouterState,
  routerStateNow,
  writeRouterState,
} from './router-state-file.js';
import { TableBook } from './table-book.js';
import { TablesWriter } from './tables-writer.js';

/** How often the primary checks that `router.json` still names it. */
const stateCheckMs = 2_000;
/** How long a stopping router lets requests in flight finish. */
const stopGraceMs = 5_000;

/** The compiled worker entry beside this file. */
export const workerEntry = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/**
 * Runs `ferry router` in this process (the cluster primary) until it is told to stop: serves the
 * saved tables first, then the control channel, then writes `router.json`. Resolves once every
 * listener closed: on SIGTERM/SIGINT, `POST /v1/shutdown`, or when `router.json` is gone or
 * names another process (a replaced router, a deleted data folder).
 */
export async function runRouter(dataDir: string, settings: RouterSettings): Promise<void> {
  await refuseSecondRouter(dataDir);
  const log = createRouterLog('primary');
  // The primary holds every listening socket: a bug in a control request must not take the
  // routes down with it.
  process.on('uncaughtException', (error) => log.error({ err: error }, 'router primary error'));
  process.on('unhandledRejection', (error) => log.error({ err: error }, 'router primary error'));
  mkdirSync(routerFolder(dataDir), { recursive: true, mode: 0o700 });
  let book: TableBook;
  try {
    book = TableBook.load(routerTablesPath(dataDir));
  } catch (error) {
    log.error({ err: error }, 'router tables.json unreadable; starting with no table');
    book = new TableBook();
  }
  const primary = new RouterPrimary({
    workerEntry,
    settings,
    book,
    writer: new TablesWriter(routerTablesPath(dataDir), log),
    log,
  });
  await primary.start();
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const token = randomBytes(24).toString('base64url');
  const control = await startControlServer({
    primary,
    token,
    log,
    onShutdown: () => stop('asked to shut down'),
  });
  await writeRouterState(dataDir, {
    pid: process.pid,
    control: control.url,
    token,
    startedAt: primary.startedAt,
  });
  log.info(
    { control: control.url, workers: primary.health().workers, tables: book.tables().length },
    'router serving',
  );
  const watch = setInterval(() => {
    const state = routerStateNow(dataDir);
    if (state === 'missing') stop('router.json is gone');
    else if (state !== 'unknown' && state.pid !== process.pid) {
      stop(`router.json names another router (pid ${state.pid})`);
    }
  }, stateCheckMs);
  const onSignal = (signal: NodeJS.Signals) => stop(`got ${signal}`);
  const onUpgrade = () => {
    primary.upgrade().catch((error: unknown) => log.error({ err: error }, 'router upgrade failed'));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGUSR2', onUpgrade);
  const reason = await stopped;
  log.info({ reason }, 'router stopping');
  clearInterval(watch);
  control.server.close();
  control.server.closeAllConnections();
  await primary.stop(stopGraceMs);
  if (readRouterState(dataDir)?.pid === process.pid)
    rmSync(routerStatePath(dataDir), { force: true });
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.off('SIGUSR2', onUpgrade);
  log.info('router stopped');
}

/** One router per data folder: a live one that answers on its control channel keeps it. */
async function refuseSecondRouter(dataDir: string): Promise<void> {
  const state = readRouterState(dataDir);
  if (state === undefined || state.pid === process.pid || !processAlive(state.pid)) return;
  const client = new ControlClient(state);
  try {
    await client.call('GET', controlPaths.health);
  } catch {
    return;
  } finally {
    await client.close();
  }
  throw new FerryError(
    'data_folder_in_use',
    `a router already runs for ${dataDir} (pid ${state.pid}); stop it first with "ferry router stop --data ${dataDir}"`,
  );
}
