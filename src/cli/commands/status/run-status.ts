import type { ServiceStatus } from '../../api-types.js';
import { writeJson } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { statusTable } from './status-table.js';

/** `--json`: the API's `{services: [...]}`, or the one service's status when named. */
export async function runStatus(input: { service: string | undefined }, context: CommandContext) {
  const { io, json } = context;
  const client = context.client();
  if (input.service) {
    const one = await client.service(input.service);
    if (json) writeJson(io.stdout, one);
    else io.stdout.write(statusTable([one]));
    return exitCodes.ok;
  }
  const services: ServiceStatus[] = await client.services();
  if (json) writeJson(io.stdout, { services });
  else io.stdout.write(statusTable(services));
  return exitCodes.ok;
}
