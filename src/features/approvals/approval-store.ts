import type { Approval, ApprovalDecision, ApprovalStatus } from './domain/approval.js';

/** How an approval is settled: its final status and what the change then did. */
export interface Settlement {
  readonly status: Exclude<ApprovalStatus, 'pending'>;
  readonly outcome: 'proceed' | 'reject';
  readonly settledAt: string;
}

/**
 * Persistence port for approvals and their decisions. An approval is settled at most once; a
 * person's decision is recorded at most once per approval.
 */
export interface ApprovalStore {
  insert(approval: Approval): Promise<void>;
  get(id: string): Promise<Approval | undefined>;
  /** The newest first; only `status` ones when given. */
  list(filter?: {
    readonly status?: ApprovalStatus;
    readonly limit?: number;
  }): Promise<readonly Approval[]>;
  /** The approval a deployment waits or waited on. */
  forDeployment(deploymentId: string): Promise<Approval | undefined>;
  /** Settles a pending approval; false (and nothing changes) when it was settled already. */
  settle(id: string, settlement: Settlement): Promise<boolean>;
  /** Records a decision; false (nothing recorded) when this person decided on it already. */
  addDecision(decision: ApprovalDecision): Promise<boolean>;
  /** Its decisions, oldest first. */
  decisions(approvalId: string): Promise<readonly ApprovalDecision[]>;
}
