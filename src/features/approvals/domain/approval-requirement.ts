import type { TokenRole } from '../../auth/domain/permissions.js';

/** What an approval does when nobody decided before it expires. */
export const expiryOutcomes = ['reject', 'proceed'] as const;
export type ExpiryOutcome = (typeof expiryOutcomes)[number];

/** What a risk rule (or an `approval` step) asks of people before a change goes on. */
export interface ApprovalRequirement {
  /** How many distinct people must approve (the quorum). */
  readonly approvals: number;
  /** Roles an approver must hold; one of them is enough. `admin` always counts. */
  readonly roles: readonly TokenRole[];
  /** How long the approval waits, in milliseconds, before its `onExpiry` outcome applies. */
  readonly expiryMs: number;
  /** `reject` (the default) fails the change at expiry; `proceed` lets it go on. */
  readonly onExpiry: ExpiryOutcome;
  /** Whether the person who asked for the change may approve it. Default false. */
  readonly allowSelfApproval: boolean;
  /** Reminders go out this long before expiry (milliseconds), e.g. `[1800000]` for 30m. */
  readonly remindBeforeMs: readonly number[];
}

/**
 * One requirement out of several that matched: the strictest of each field. The most approvals,
 * every role any asks for, the shortest expiry, `reject` if any says reject, self-approval only
 * if all allow it, every reminder.
 */
export function strictest(
  requirements: readonly ApprovalRequirement[],
): ApprovalRequirement | null {
  if (requirements.length === 0) return null;
  return {
    approvals: Math.max(...requirements.map((r) => r.approvals)),
    roles: [...new Set(requirements.flatMap((r) => r.roles))],
    expiryMs: Math.min(...requirements.map((r) => r.expiryMs)),
    onExpiry: requirements.some((r) => r.onExpiry === 'reject') ? 'reject' : 'proceed',
    allowSelfApproval: requirements.every((r) => r.allowSelfApproval),
    remindBeforeMs: [...new Set(requirements.flatMap((r) => r.remindBeforeMs))].sort(
      (a, b) => b - a,
    ),
  };
}
