import { ConfigError, FerryError } from '../errors/ferry-error.js';
import type { CliIo } from './cli-io.js';
import { writeJson, writeLine } from './cli-io.js';
import { exitCodes, type ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/**
 * The one place the CLI turns an error into what a user sees, and its exit code. A user's
 * mistake is one `error:` line (config mistakes add a compiler-style line per problem); only a
 * bug shows more. With `--json`, stdout also gets the API's `{error: {...}}` document.
 *
 * @example renderCliError(new FerryError('conflict', 'x'), io, false) // "error: x", returns 1
 */
export function renderCliError(error: unknown, io: CliIo, json: boolean): ExitCode {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `error: ${error.message}`);
    return exitCodes.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfigError) {
    // Local config files: the problems are the message, one `file:line:col path: message` each.
    writeLine(io.stderr, error.format());
  } else if (error instanceof FerryError) {
    writeLine(io.stderr, `error: ${error.message}`);
    if (error.code === 'invalid_config') {
      for (const d of error.details) {
        writeLine(io.stderr, `  at ${d.location ? `${d.location} ` : ''}${d.path}: ${d.message}`);
      }
    }
  } else {
    writeLine(io.stderr, `error: unexpected failure: ${message}`);
    if (io.env.FERRY_DEBUG && error instanceof Error && error.stack) {
      writeLine(io.stderr, error.stack);
    }
  }
  if (json) {
    const body =
      error instanceof FerryError ? error.toJSON() : { error: { code: 'internal', message } };
    writeJson(io.stdout, body, false);
  }
  return exitCodes.failed;
}
