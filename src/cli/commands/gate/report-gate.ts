import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { formatValues } from './format-values.js';
import type { ReportGateInput } from './gate-input.js';

/** Sends the report; says what was recorded on stderr (`--json`: the GateResult on stdout). */
export async function reportGate(input: ReportGateInput, context: CommandContext) {
  const { service, version, name, status, values, url } = input;
  const result = await context.client().reportGate(service, version, {
    name,
    status,
    ...(Object.keys(values).length > 0 ? { values } : {}),
    ...(url === undefined ? {} : { url }),
  });
  const measured = Object.keys(result.values).length > 0 ? ` (${formatValues(result.values)})` : '';
  writeLine(
    context.io.stderr,
    `${result.name} ${result.status}${measured} recorded for ${service} ${version} ` +
      `(${result.digest.slice(0, 19)}) by ${result.reporter} at ${result.reportedAt}`,
  );
  if (context.json) writeJson(context.io.stdout, result);
  return exitCodes.ok;
}
