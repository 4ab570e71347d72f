import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';

export interface HistoryInput {
  readonly service: string;
  readonly environment: string;
  readonly limit: number | undefined;
}

/** A table of deployments; `--json`: the API's `{deployments: [...]}`. */
export async function runHistory(input: HistoryInput, context: CommandContext) {
  const { io, json } = context;
  const deployments = await context.client().deployments(input);
  if (json) {
    writeJson(io.stdout, { deployments });
    return exitCodes.ok;
  }
  if (deployments.length === 0) {
    writeLine(io.stderr, `no deployments of ${input.service} in ${input.environment} yet`);
    return exitCodes.ok;
  }
  const rows = deployments.map((d) => [
    d.id,
    d.kind,
    d.version,
    d.phase,
    d.createdAt,
    d.finishedAt,
    // An emergency change is flagged where people look for why.
    d.emergency ? `EMERGENCY: ${d.emergency.reason}${d.reason ? `; ${d.reason}` : ''}` : d.reason,
  ]);
  io.stdout.write(
    renderTable(['id', 'kind', 'version', 'phase', 'created', 'finished', 'reason'], rows),
  );
  return exitCodes.ok;
}
