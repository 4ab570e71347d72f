import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';
import { formatValues } from './format-values.js';
import type { ListGatesInput } from './gate-input.js';

/**
 * A table of every report about the artifact, newest first; an older report of a gate shows as
 * superseded. `--json`: `{gates: [...]}`.
 */
export async function listGates(input: ListGatesInput, context: CommandContext) {
  const { io, json } = context;
  const gates = await context.client().gates(input.service, input.version);
  if (json) {
    writeJson(io.stdout, { gates });
    return exitCodes.ok;
  }
  if (gates.length === 0) {
    writeLine(io.stderr, `no gate results for ${input.service} ${input.version}`);
    return exitCodes.ok;
  }
  const rows = gates.map((g) => [
    g.name,
    g.superseded ? `${g.status} (superseded)` : g.status,
    formatValues(g.values),
    g.reportedAt,
    g.reporter,
    g.url,
  ]);
  io.stdout.write(renderTable(['gate', 'status', 'values', 'reported', 'by', 'url'], rows));
  return exitCodes.ok;
}
