import { defineCommand } from '../../define-command.js';
import { approvalsInput, type ApprovalsInput } from './approvals-input.js';
import { decideApproval } from './decide-approval.js';
import { listApprovals } from './list-approvals.js';

/**
 * `ferry approvals list [--all]`: approvals waiting (all of them with `--all`).
 * `ferry approvals approve|reject <id> [--comment "..."]`: a person's decision, recorded once.
 */
export const approvalsCommand = defineCommand({
  name: 'approvals',
  summary: 'List approvals high-risk changes wait on; approve or reject one',
  arguments: [
    { name: 'action', description: 'list, approve or reject' },
    { name: 'id', description: 'approve, reject: the approval id', optional: true },
  ],
  options: [
    { flags: '--comment <text>', description: 'approve, reject: why (recorded with the decision)' },
    { flags: '--all', description: 'list: settled approvals too' },
  ],
  input: (args, options): ApprovalsInput => approvalsInput(args, options),
  handler: (input, context) =>
    input.action === 'list' ? listApprovals(input.all, context) : decideApproval(input, context),
});
