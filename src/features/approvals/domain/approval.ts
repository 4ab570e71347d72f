import type { ApprovalRequirement } from './approval-requirement.js';

/** Where an approval stands; every status but `pending` is final. */
export const approvalStatuses = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'withdrawn',
] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

/**
 * A change waiting for people: raised by the risk policy before a deployment starts (its
 * deployment holds no new instance until it is settled). Expired, `outcome` says what followed:
 * the requirement's `onExpiry`.
 */
export interface Approval {
  readonly id: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  /** The deployment that waits on it. */
  readonly deploymentId: string;
  /** The canary step's gate that waits on it (`approval-3`); null for a pre-deploy approval. */
  readonly gate: string | null;
  /** Who asked for the change (`token:<id>`, `local`): they may not approve it unless allowed. */
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly requirement: ApprovalRequirement;
  /** The risk rules that matched, each with why: `prod-migrations: environment prod, artifact migrations=true`. */
  readonly reasons: readonly string[];
  readonly status: ApprovalStatus;
  /** What the change did once settled: `proceed` or `reject`; null while pending. */
  readonly outcome: 'proceed' | 'reject' | null;
  readonly settledAt: string | null;
}

export const decisionKinds = ['approve', 'reject'] as const;
export type DecisionKind = (typeof decisionKinds)[number];

/** One person's say on an approval: recorded once, never changed. */
export interface ApprovalDecision {
  readonly approvalId: string;
  readonly actor: string;
  /** The role they decided with. */
  readonly role: string;
  readonly decision: DecisionKind;
  readonly comment: string;
  readonly at: string;
}
