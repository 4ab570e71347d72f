import type { TokenRole } from '../../auth/domain/permissions.js';
import type { Approval, ApprovalDecision, ApprovalStatus, DecisionKind } from './approval.js';

/** Who decides: the actor and the role their token carries (`admin` for a local caller). */
export interface Decider {
  readonly actor: string;
  readonly role: TokenRole;
}

/** Why a decision is refused, as data; `refusalMessage` makes the sentence. */
export type DecisionRefusal =
  | { readonly kind: 'settled'; readonly status: ApprovalStatus }
  | { readonly kind: 'decidedAlready'; readonly decision: DecisionKind }
  | { readonly kind: 'selfApproval' }
  | { readonly kind: 'role'; readonly role: TokenRole; readonly roles: readonly TokenRole[] };

export type DecisionOutcome =
  | { readonly accepted: false; readonly refusal: DecisionRefusal }
  | {
      readonly accepted: true;
      /** The approval's status once this decision counts: `pending` until the quorum. */
      readonly status: ApprovalStatus;
      readonly approvals: number;
    };

/**
 * Whether `decider` may `decision` the approval, and where it then stands. A person decides
 * once; the requester may not approve unless `allowSelfApproval` (rejecting their own change is
 * always allowed); the role must be one the requirement names (`admin` always counts). One
 * rejection rejects; approvals from distinct people reaching the quorum approve.
 */
export function decideApproval(
  approval: Approval,
  decisions: readonly ApprovalDecision[],
  decider: Decider,
  decision: DecisionKind,
): DecisionOutcome {
  const refuse = (refusal: DecisionRefusal): DecisionOutcome => ({ accepted: false, refusal });
  if (approval.status !== 'pending') return refuse({ kind: 'settled', status: approval.status });
  const earlier = decisions.find((d) => d.actor === decider.actor);
  if (earlier) return refuse({ kind: 'decidedAlready', decision: earlier.decision });
  const { requirement } = approval;
  if (decider.role !== 'admin' && !requirement.roles.includes(decider.role)) {
    return refuse({ kind: 'role', role: decider.role, roles: requirement.roles });
  }
  if (
    decision === 'approve' &&
    decider.actor === approval.requestedBy &&
    !requirement.allowSelfApproval
  ) {
    return refuse({ kind: 'selfApproval' });
  }
  if (decision === 'reject') return { accepted: true, status: 'rejected', approvals: 0 };
  const approvals = decisions.filter((d) => d.decision === 'approve').length + 1;
  const status = approvals >= requirement.approvals ? 'approved' : 'pending';
  return { accepted: true, status, approvals };
}

/** The sentence a person reads for a refused decision. */
export function refusalMessage(approval: Approval, refusal: DecisionRefusal): string {
  switch (refusal.kind) {
    case 'settled':
      return `approval ${approval.id} is ${refusal.status} already`;
    case 'decidedAlready':
      return `you decided on approval ${approval.id} already (${refusal.decision}); a person decides once`;
    case 'selfApproval':
      return `${approval.requestedBy} asked for this change and may not approve it (allowSelfApproval is false); another approver must`;
    case 'role':
      return `approval ${approval.id} needs one of the roles ${refusal.roles.join(', ')}; your token is ${refusal.role}`;
  }
}
