import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';

export interface StopInput {
  readonly service: string;
  readonly environment: string;
}

/**
 * Asks the server to stop the service (it answers once the instances have stopped) and says how
 * to bring it back. `--json`: the server's StopResult.
 */
export async function runStop(input: StopInput, context: CommandContext) {
  const { service, environment } = input;
  const result = await context.client().stop(service, environment);
  const start = `"ferry start ${service} --env ${environment}"`;
  const { version } = result;
  const again = version ? `${start} runs ${version} again` : 'deploy a version to run it again';
  writeLine(
    context.io.stderr,
    result.noop
      ? `${service} is already stopped in ${environment} (since ${result.stoppedAt}, by ${result.actor}); ${again}`
      : `${service} stopped in ${environment}: its instances have stopped and its route is closed; ${again}`,
  );
  if (context.json) writeJson(context.io.stdout, result);
  return exitCodes.ok;
}
