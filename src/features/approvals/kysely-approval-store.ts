import type { Kysely, Selectable } from 'kysely';
import type { ApprovalDecisionTable, ApprovalTable, Database } from '../../store/schema.js';
import type { ApprovalStore, Settlement } from './approval-store.js';
import type { ApprovalRequirement } from './domain/approval-requirement.js';
import type {
  Approval,
  ApprovalDecision,
  ApprovalStatus,
  DecisionKind,
} from './domain/approval.js';

export class KyselyApprovalStore implements ApprovalStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(a: Approval): Promise<void> {
    await this.db
      .insertInto('approvals')
      .values({
        id: a.id,
        service: a.service,
        environment: a.environment,
        version: a.version,
        deployment_id: a.deploymentId,
        gate: a.gate,
        requested_by: a.requestedBy,
        requested_at: a.requestedAt,
        expires_at: a.expiresAt,
        requirement: JSON.stringify(a.requirement),
        reasons: JSON.stringify(a.reasons),
        status: a.status,
        outcome: a.outcome,
        settled_at: a.settledAt,
      })
      .execute();
  }

  async get(id: string): Promise<Approval | undefined> {
    const row = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toApproval(row);
  }

  async list(
    filter: { readonly status?: ApprovalStatus; readonly limit?: number } = {},
  ): Promise<readonly Approval[]> {
    let query = this.db.selectFrom('approvals').selectAll();
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    const rows = await query
      .orderBy('requested_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toApproval);
  }

  async forDeployment(deploymentId: string): Promise<Approval | undefined> {
    const row = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('deployment_id', '=', deploymentId)
      .executeTakeFirst();
    return row && toApproval(row);
  }

  async settle(id: string, s: Settlement): Promise<boolean> {
    const result = await this.db
      .updateTable('approvals')
      .set({ status: s.status, outcome: s.outcome, settled_at: s.settledAt })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async addDecision(d: ApprovalDecision): Promise<boolean> {
    const result = await this.db
      .insertInto('approval_decisions')
      .values({
        approval_id: d.approvalId,
        actor: d.actor,
        role: d.role,
        decision: d.decision,
        comment: d.comment,
        at: d.at,
      })
      .onConflict((oc) => oc.columns(['approval_id', 'actor']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async decisions(approvalId: string): Promise<readonly ApprovalDecision[]> {
    const rows = await this.db
      .selectFrom('approval_decisions')
      .selectAll()
      .where('approval_id', '=', approvalId)
      .orderBy('at')
      .orderBy('actor')
      .execute();
    return rows.map(toDecision);
  }
}

function toApproval(row: Selectable<ApprovalTable>): Approval {
  return {
    id: row.id,
    service: row.service,
    environment: row.environment,
    version: row.version,
    deploymentId: row.deployment_id,
    gate: row.gate,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    requirement: JSON.parse(row.requirement) as ApprovalRequirement,
    reasons: JSON.parse(row.reasons) as string[],
    status: row.status as ApprovalStatus,
    outcome: row.outcome as Approval['outcome'],
    settledAt: row.settled_at,
  };
}

function toDecision(row: Selectable<ApprovalDecisionTable>): ApprovalDecision {
  return {
    approvalId: row.approval_id,
    actor: row.actor,
    role: row.role,
    decision: row.decision as DecisionKind,
    comment: row.comment,
    at: row.at,
  };
}
