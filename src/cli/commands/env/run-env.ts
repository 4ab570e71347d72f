import type { EnvironmentMatrix } from '../../api-types.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';
import { describeMigrationSummary } from '../../../features/migrations/migration-summary.js';

/** Prints the matrix: one row per service and environment. `--json`: the API's document. */
export async function runEnv(_input: object, context: CommandContext): Promise<number> {
  const matrix = await context.client().environmentMatrix();
  if (context.json) {
    writeJson(context.io.stdout, matrix);
    return exitCodes.ok;
  }
  writeLine(context.io.stdout, renderTable(headers, rowsOf(matrix)).trimEnd());
  return exitCodes.ok;
}

const headers = ['service', 'env', 'version', 'digest', 'since', 'health', 'onward', 'migrations'];

function rowsOf(matrix: EnvironmentMatrix) {
  return matrix.services.flatMap(({ service, cells }) =>
    cells
      .filter((cell) => cell.routed)
      .map((cell) => [
        service,
        cell.windows.length > 0
          ? `${cell.environment} (frozen: ${cell.windows.map((w) => `${w.name} until ${w.endsAt}`).join(', ')})`
          : cell.environment,
        cell.rollout
          ? `${cell.version ?? '-'} (rolling out ${cell.rollout.version})`
          : cell.version,
        cell.digest ? cell.digest.slice(7, 19) : null,
        cell.since,
        cell.detail ? `${cell.health}: ${cell.detail}` : cell.health,
        cell.onward.map(describeOnward).join('; '),
        cell.migrations ? describeMigrationSummary(cell.migrations) : null,
      ]),
  );
}

function describeOnward(
  onward: EnvironmentMatrix['services'][number]['cells'][number]['onward'][number],
) {
  if (onward.upToDate) return `${onward.to}: up to date`;
  if (onward.ready) return `${onward.to}: ready`;
  return `${onward.to}: blocked: ${onward.reason ?? 'unknown'}`;
}
