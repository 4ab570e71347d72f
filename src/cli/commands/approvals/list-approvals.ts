import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';

/** Pending approvals (every one with `all`) as a table; `--json`: `{approvals: [...]}`. */
export async function listApprovals(all: boolean, context: CommandContext) {
  const { io, json } = context;
  const approvals = await context.client().approvals(all ? undefined : 'pending');
  if (json) {
    writeJson(io.stdout, { approvals });
    return exitCodes.ok;
  }
  if (approvals.length === 0) {
    writeLine(io.stderr, all ? 'no approvals' : 'no approval is pending');
    return exitCodes.ok;
  }
  const rows = approvals.map((a) => [
    a.id,
    `${a.service}/${a.environment}`,
    a.version,
    a.status,
    `${a.decisions.filter((d) => d.decision === 'approve').length}/${a.approvals}`,
    a.roles.join(','),
    a.requestedBy,
    a.expiresAt,
    a.reasons.join('; '),
  ]);
  io.stdout.write(
    renderTable(
      ['id', 'target', 'version', 'status', 'approvals', 'roles', 'requested-by', 'expires', 'why'],
      rows,
    ),
  );
  return exitCodes.ok;
}
