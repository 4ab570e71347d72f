import type { InstanceLogs } from '../../api-types.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';

/** Which logs: every live instance of a service in an environment, or one instance. */
export type LogsInput =
  | {
      readonly kind: 'service';
      readonly service: string;
      readonly environment: string;
      readonly lines: number | undefined;
    }
  | { readonly kind: 'instance'; readonly id: string; readonly lines: number | undefined };

/**
 * Log lines on stdout, each prefixed with its instance id so interleaved output stays
 * attributable. `--json`: `{logs: [{id, lines}]}` in both forms.
 */
export async function runLogs(input: LogsInput, context: CommandContext) {
  const { io, json } = context;
  const client = context.client();
  let logs: InstanceLogs[];
  if (input.kind === 'instance') {
    logs = [await client.instanceLogs(input.id, input.lines)];
  } else {
    const { service, environment } = input;
    const instances = await client.instances({ service, environment });
    logs = await Promise.all(instances.map((i) => client.instanceLogs(i.id, input.lines)));
    if (logs.length === 0 && !json) {
      writeLine(io.stderr, `no live instances of ${service} in ${environment}`);
    }
  }
  if (json) {
    writeJson(io.stdout, { logs });
    return exitCodes.ok;
  }
  for (const { id, lines } of logs) {
    for (const line of lines) writeLine(io.stdout, `${id} ${line}`);
  }
  return exitCodes.ok;
}
