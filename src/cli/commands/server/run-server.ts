import type { AuthMode } from '../../../features/auth/domain/auth-mode.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { interruptSignal, untilAborted } from '../../interrupt-signal.js';
import { bootstrapTokenFile } from '../../../features/auth/bootstrap-token.js';
import { parseListenOption } from './parse-listen-option.js';
import { parseStoreOption } from './parse-store-option.js';

/** Where the API listens without `--listen` or FERRY_LISTEN; the CLI's default server too. */
const defaultListen = '127.0.0.1:7700';

export interface ServerInput {
  readonly configPath: string;
  readonly dataDir: string;
  /** A PostgreSQL URL; unset: FERRY_STORE, else `ferry.db` in the data folder. */
  readonly store: string | undefined;
  /** Unset: FERRY_LISTEN, else `127.0.0.1:7700`. */
  readonly listen: string | undefined;
  /** Unset: FERRY_LOG_LEVEL, else `info`. */
  readonly logLevel: string | undefined;
  readonly auth: AuthMode;
  /** `--upgrade`: give the adopted router fresh workers running this Ferry's code. */
  readonly upgradeRouter: boolean;
}

/**
 * Starts the server, announces its URL, and resolves once interrupted and closed. A bad
 * ferry.yaml is a ConfigError from `startServer`, rendered by the CLI's error renderer.
 */
export async function runServer(input: ServerInput, { io, json }: CommandContext) {
  const listen = parseListenOption(input.listen ?? io.env.FERRY_LISTEN ?? defaultListen);
  const store = parseStoreOption(input.store ?? (io.env.FERRY_STORE || undefined));
  // The data folder first, so a second server on it is told at once; then the server's modules,
  // loaded on demand: they pull in Fastify, which no other command needs.
  const { takeDataFolder } = await import('../../../server/take-data-folder.js');
  const dataFolder = takeDataFolder(input.dataDir);
  let startServer;
  try {
    ({ startServer } = await import('../../../server/start-server.js'));
  } catch (error) {
    dataFolder.release();
    throw error;
  }
  const interrupt = interruptSignal(io);
  try {
    const logLevel = input.logLevel ?? io.env.FERRY_LOG_LEVEL ?? 'info';
    const server = await startServer({
      ...input,
      listen,
      logLevel,
      dataFolder,
      ...(store === undefined ? {} : { store }),
    });
    writeLine(io.stderr, `ferry server listening on ${server.url}`);
    if (server.bootstrapToken !== undefined) {
      const file = bootstrapTokenFile(input.dataDir);
      writeLine(
        io.stderr,
        `bootstrap admin token (shown once; kept in ${file} until revoked): ${server.bootstrapToken}`,
      );
    }
    if (json) writeJson(io.stdout, { url: server.url }, false);
    // SIGHUP: read the file again and apply it, as `ferry apply -f` does.
    const reload = () =>
      void server.reload().then(({ lines }) => {
        for (const line of lines) writeLine(io.stderr, line);
      });
    process.on('SIGHUP', reload);
    try {
      await untilAborted(interrupt.signal);
    } finally {
      process.off('SIGHUP', reload);
    }
    writeLine(io.stderr, 'ferry server stopping');
    await server.close();
    writeLine(
      io.stderr,
      `the router (pid ${server.routerPid}) keeps serving the routes; "ferry router stop --data ${input.dataDir}" ends it`,
    );
    return exitCodes.ok;
  } finally {
    interrupt.dispose();
  }
}
