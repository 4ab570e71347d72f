import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import type { ContractMigrationsInput } from './migrations-input.js';

/**
 * Runs the contract migrations of a service in an environment that are safe now; the server
 * refuses (409, exit 1) with every reason while they wait. Says on stderr what ran and what still
 * waits. `--json`: the API's `{service, environment, applied, waiting, noop}`.
 */
export async function contractMigrations(input: ContractMigrationsInput, context: CommandContext) {
  const { service, environment } = input;
  const result = await context.client().contractMigrations({ service, environment });
  if (context.json) writeJson(context.io.stdout, result);
  const { stderr } = context.io;
  if (result.noop) {
    writeLine(stderr, `no contract migration is pending for ${service} in ${environment}`);
    return exitCodes.ok;
  }
  for (const migration of result.applied) {
    writeLine(
      stderr,
      `applied ${migration.version} ${migration.description} (contract) to ${service} in ${environment} in ${migration.durationMs} ms`,
    );
  }
  for (const waiting of result.waiting) {
    writeLine(stderr, `${waiting.file.path} still waits: ${waiting.reasons.join('; ')}`);
  }
  return exitCodes.ok;
}
