import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';

export interface AuditInput {
  readonly actor: string | undefined;
  readonly since: string | undefined;
  readonly limit: number;
}

/** A table of audit entries, newest first; `--json`: `{entries: [...]}` with every field. */
export async function runAudit(input: AuditInput, context: CommandContext) {
  const { io, json } = context;
  const entries = await context.client().audit({
    limit: input.limit,
    ...(input.actor === undefined ? {} : { actor: input.actor }),
    ...(input.since === undefined ? {} : { since: input.since }),
  });
  if (json) {
    writeJson(io.stdout, { entries });
    return exitCodes.ok;
  }
  if (entries.length === 0) {
    writeLine(io.stderr, 'no audit entries');
    return exitCodes.ok;
  }
  const rows = entries.map((e) => [
    e.at,
    e.actorName === null ? e.actor : `${e.actorName} (${e.actor})`,
    e.action,
    Object.values(e.target).join(' ') || null,
    e.errorCode === null ? String(e.status) : `${e.status} ${e.errorCode}`,
  ]);
  io.stdout.write(renderTable(['at', 'actor', 'action', 'target', 'outcome'], rows));
  return exitCodes.ok;
}
