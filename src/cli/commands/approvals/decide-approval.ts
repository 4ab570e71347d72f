import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';

/** Approves or rejects; says where the approval stands then. `--json`: `{approval}`. */
export async function decideApproval(
  input: { readonly action: 'approve' | 'reject'; readonly id: string; readonly comment: string },
  context: CommandContext,
) {
  const { io, json } = context;
  const approval = await context.client().decideApproval(input.id, input.action, input.comment);
  if (json) {
    writeJson(io.stdout, { approval });
    return exitCodes.ok;
  }
  const approvals = approval.decisions.filter((d) => d.decision === 'approve').length;
  const target = `${approval.service} ${approval.version} in ${approval.environment}`;
  const said =
    approval.status === 'pending'
      ? `approved ${approval.id} (${approvals}/${approval.approvals}): ${target} still waits for ${approval.approvals - approvals} more`
      : approval.status === 'approved'
        ? `approved ${approval.id} (${approvals}/${approval.approvals}): ${target} starts now`
        : `rejected ${approval.id}: ${target} is aborted`;
  writeLine(io.stderr, said);
  return exitCodes.ok;
}
