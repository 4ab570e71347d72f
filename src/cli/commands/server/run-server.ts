import type { AuthMode } from '../../../features/auth/domain/auth-mode.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { interruptSignal, untilAborted } from '../../interrupt-signal.js';
import { bootstrapTokenFile } from '../../../features/auth/bootstrap-token.js';

export interface ServerInput {
  readonly configPath: string;
  readonly dataDir: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** Unset: FERRY_LOG_LEVEL, else `info`. */
  readonly logLevel: string | undefined;
  readonly auth: AuthMode;
}

/**
 * Starts the server, announces its URL, and resolves once interrupted and closed. A bad
 * ferry.yaml is a ConfigError from `startServer`, rendered by the CLI's error renderer.
 */
export async function runServer(input: ServerInput, { io, json }: CommandContext) {
  // Loaded on demand: the server pulls in Fastify and SQLite, which no other command needs.
  const { startServer } = await import('../../../server/start-server.js');
  const interrupt = interruptSignal(io);
  try {
    const logLevel = input.logLevel ?? io.env.FERRY_LOG_LEVEL ?? 'info';
    const server = await startServer({ ...input, logLevel });
    writeLine(io.stderr, `ferry server listening on ${server.url}`);
    if (server.bootstrapToken !== undefined) {
      const file = bootstrapTokenFile(input.dataDir);
      writeLine(
        io.stderr,
        `bootstrap admin token (shown once; kept in ${file} until revoked): ${server.bootstrapToken}`,
      );
    }
    if (json) writeJson(io.stdout, { url: server.url }, false);
    await untilAborted(interrupt.signal);
    writeLine(io.stderr, 'ferry server stopping');
    await server.close();
    return exitCodes.ok;
  } finally {
    interrupt.dispose();
  }
}
