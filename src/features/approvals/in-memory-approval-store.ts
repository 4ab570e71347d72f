import { compareText, copyRow } from '../../store/in-memory-rows.js';
import type { ApprovalStore, Settlement } from './approval-store.js';
import type { Approval, ApprovalDecision, ApprovalStatus } from './domain/approval.js';

/** ApprovalStore in memory, for tests. */
export class InMemoryApprovalStore implements ApprovalStore {
  private readonly approvals = new Map<string, Approval>();
  private readonly decided: ApprovalDecision[] = [];

  async insert(approval: Approval): Promise<void> {
    if (this.approvals.has(approval.id)) {
      throw new Error(`approvals: a row with key ${approval.id} already exists`);
    }
    this.approvals.set(approval.id, copyRow(approval));
  }

  async get(id: string): Promise<Approval | undefined> {
    const approval = this.approvals.get(id);
    return approval && copyRow(approval);
  }

  async list(
    filter: { readonly status?: ApprovalStatus; readonly limit?: number } = {},
  ): Promise<readonly Approval[]> {
    return [...this.approvals.values()]
      .filter((a) => filter.status === undefined || a.status === filter.status)
      .sort((a, b) => compareText(b.requestedAt, a.requestedAt) || compareText(b.id, a.id))
      .slice(0, filter.limit ?? 100)
      .map(copyRow);
  }

  async forDeployment(deploymentId: string): Promise<Approval | undefined> {
    const found = [...this.approvals.values()].find((a) => a.deploymentId === deploymentId);
    return found && copyRow(found);
  }

  async settle(id: string, settlement: Settlement): Promise<boolean> {
    const approval = this.approvals.get(id);
    if (!approval || approval.status !== 'pending') return false;
    this.approvals.set(id, { ...approval, ...settlement });
    return true;
  }

  async addDecision(decision: ApprovalDecision): Promise<boolean> {
    const twice = this.decided.some(
      (d) => d.approvalId === decision.approvalId && d.actor === decision.actor,
    );
    if (twice) return false;
    this.decided.push(copyRow(decision));
    return true;
  }

  async decisions(approvalId: string): Promise<readonly ApprovalDecision[]> {
    return this.decided.filter((d) => d.approvalId === approvalId).map(copyRow);
  }
}
