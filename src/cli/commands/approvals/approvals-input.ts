import type { OptionValues } from '../../define-command.js';
import { requiredArgument, stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

/** `ferry approvals list [--all]`, `ferry approvals approve|reject <id> [--comment "..."]`. */
export type ApprovalsInput =
  | { readonly action: 'list'; readonly all: boolean }
  | { readonly action: 'approve' | 'reject'; readonly id: string; readonly comment: string };

/** Checks the action, that approve and reject name an approval, and where `--comment` goes. */
export function approvalsInput(
  args: readonly (string | undefined)[],
  options: OptionValues,
): ApprovalsInput {
  const action = requiredArgument(args, 0);
  const target = args[1];
  const comment = stringOption(options, 'comment');
  switch (action) {
    case 'list':
      if (target !== undefined) throw new UsageError('ferry approvals list takes no argument');
      if (comment !== undefined) throw new UsageError('--comment goes with approve or reject');
      return { action, all: options['all'] === true };
    case 'approve':
    case 'reject':
      if (target === undefined)
        throw new UsageError(`ferry approvals ${action} needs an approval id`);
      return { action, id: target, comment: comment ?? '' };
    default:
      throw new UsageError(
        `unknown approvals action "${action}"; expected list, approve or reject`,
      );
  }
}
