import { CommanderError } from 'commander';
import { processIo, type CliIo } from './cli-io.js';
import { buildProgram } from './build-program.js';
import { exitCodes } from './exit-codes.js';
import { renderCliError } from './render-cli-error.js';
import { ferryVersion } from '../shared/ferry-version.js';
import { writeLine } from './cli-io.js';

/**
 * Runs `ferry` with the given arguments (without `node` and the script) and returns the exit
 * code: 0 ok, 1 failed, 2 usage, 3 a followed rollout paused. Never calls `process.exit`; `bin/ferry.js` sets
 * `process.exitCode` from the result.
 *
 * @example await main(['status', '--json'], { stdout, stderr, env: {}, isTTY: false })
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    writeLine(io.stdout, ferryVersion());
    return exitCodes.ok;
  }
  let exitCode: number = exitCodes.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    return renderCliError(error, io, false);
  }
}

/** Help and version are successes; every other commander error is a usage error. */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
    return exitCodes.ok;
  }
  return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
}
