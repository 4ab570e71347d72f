import { FerryError, NotFoundError } from '../../errors/ferry-error.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import type { Scheduler } from '../analysis/scheduler.js';
import type { DeploymentStore } from '../deployments/deployment-store.js';
import { DeploymentWriter } from '../deployments/deployment-writer.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import { awaitedApproval, type AbortCause } from '../deployments/domain/phase-cause.js';
import { abort, approvalGranted } from '../deployments/domain/transitions.js';
import type { EventLog } from '../events/event-log.js';
import { newId } from '../../shared/ids.js';
import type { ApprovalStore, Settlement } from './approval-store.js';
import type { ApprovalRequirement } from './domain/approval-requirement.js';
import type { Approval, ApprovalDecision, DecisionKind } from './domain/approval.js';
import { decideApproval, refusalMessage, type Decider } from './domain/decide-approval.js';

/** An approval with the decisions on it so far. */
export interface ApprovalView {
  readonly approval: Approval;
  readonly decisions: readonly ApprovalDecision[];
}

/**
 * Approvals a held deployment waits on: records decisions, settles an approval once (quorum
 * reached, one rejection, or expiry with its `onExpiry`), and moves the deployment on: it
 * starts, or is aborted with the reason. Expiries and reminders run on the injected scheduler,
 * so tests move time by hand; `start` re-arms them for the approvals pending after a restart.
 */
export class ApprovalService {
  private readonly timers = new Map<string, (() => void)[]>();
  private readonly gateListeners: GateListener[] = [];
  private readonly writer: DeploymentWriter;
  private readonly running = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: ApprovalStore,
    private readonly deployments: DeploymentStore,
    private readonly events: EventLog,
    private readonly scheduler: Scheduler,
    private readonly locks: ScopeLock,
    /** Asks the controller to reconcile: a settled approval's deployment moves. */
    private readonly wake: () => void,
  ) {
    this.writer = new DeploymentWriter(deployments, events, scheduler.clock);
  }

  /** Records a new approval and arms its expiry and reminders. */
  async request(approval: Approval): Promise<void> {
    await this.store.insert(approval);
    await this.events.append({
      actor: approval.requestedBy,
      kind: 'approval.requested',
      subject: `approval/${approval.id}`,
      payload: {
        ...scopeOf(approval),
        deploymentId: approval.deploymentId,
        approvals: approval.requirement.approvals,
        roles: approval.requirement.roles,
        expiresAt: approval.expiresAt,
        onExpiry: approval.requirement.onExpiry,
        reason: approval.reasons.join('; '),
      },
    });
    this.arm(approval);
  }

  /**
   * The approval a canary's `approval` step waits on: the pending one of that deployment and
   * gate when there is one (the gate started again after a restart keeps its decisions), else
   * a new one, asked of people on behalf of whoever started the deployment.
   */
  async requestForGate(
    deployment: {
      readonly id: string;
      readonly service: string;
      readonly environment: string;
      readonly version: string;
      readonly actor: string;
    },
    gate: string,
    requirement: ApprovalRequirement,
  ): Promise<Approval> {
    const pending = await this.store.list({ status: 'pending', limit: 1000 });
    const found = pending.find((a) => a.deploymentId === deployment.id && a.gate === gate);
    if (found) return found;
    const now = this.scheduler.clock.now();
    const approval: Approval = {
      id: newId('apr', now),
      service: deployment.service,
      environment: deployment.environment,
      version: deployment.version,
      deploymentId: deployment.id,
      gate,
      requestedBy: deployment.actor,
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + requirement.expiryMs).toISOString(),
      requirement,
      reasons: [`canary step ${gate}`],
      status: 'pending',
      outcome: null,
      settledAt: null,
    };
    await this.request(approval);
    return approval;
  }

  /** Tells `listener` of every settled approval a canary step waits on (the approval gate). */
  onGateSettled(listener: GateListener): void {
    this.gateListeners.push(listener);
  }

  /**
   * Arms the expiry (and reminders) of every pending approval, after a restart, and withdraws
   * those whose deployment no longer waits on them. From then on, a deployment that stops
   * waiting (a person aborts it, a rollback replaces it) withdraws its pending approval at once.
   */
  async start(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = this.events.subscribe((event) => {
      if (!event.subject.startsWith('deployment/')) return;
      const deploymentId = event.subject.slice('deployment/'.length);
      this.track(this.withdrawAbandoned(deploymentId));
    });
    for (const approval of await this.store.list({ status: 'pending', limit: 1000 })) {
      if (!(await this.withdrawIfAbandoned(approval))) this.arm(approval);
    }
  }

  /** Cancels every timer and waits for settlements under way. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const cancels of this.timers.values()) for (const cancel of cancels) cancel();
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  async list(filter: { readonly status?: Approval['status'] } = {}): Promise<ApprovalView[]> {
    const approvals = await this.store.list(filter);
    return Promise.all(
      approvals.map(async (approval) => ({
        approval,
        decisions: await this.store.decisions(approval.id),
      })),
    );
  }

  async get(id: string): Promise<ApprovalView> {
    const approval = await this.store.get(id);
    if (!approval) throw new NotFoundError('approval', id);
    return { approval, decisions: await this.store.decisions(id) };
  }

  /**
   * A person approves or rejects. Refused (403) for the requester approving their own change or
   * a role the requirement does not name; (409) when they decided already or it is settled.
   */
  async decide(
    id: string,
    decider: Decider,
    decision: DecisionKind,
    comment: string,
  ): Promise<ApprovalView> {
    const found = await this.store.get(id);
    if (!found) throw new NotFoundError('approval', id);
    await this.locks.run(scopeKey(found), async () => {
      const approval = (await this.store.get(id))!;
      const decisions = await this.store.decisions(id);
      const outcome = decideApproval(approval, decisions, decider, decision);
      if (!outcome.accepted) {
        const code =
          outcome.refusal.kind === 'selfApproval' || outcome.refusal.kind === 'role'
            ? 'forbidden'
            : 'conflict';
        throw new FerryError(code, refusalMessage(approval, outcome.refusal), {
          extra: { approvalId: id, refusal: outcome.refusal.kind },
        });
      }
      const at = new Date(this.scheduler.clock.now()).toISOString();
      const recorded = await this.store.addDecision({
        approvalId: id,
        actor: decider.actor,
        role: decider.role,
        decision,
        comment,
        at,
      });
      if (!recorded) {
        throw new FerryError('conflict', `you decided on approval ${id} already`, {
          extra: { approvalId: id, refusal: 'decidedAlready' },
        });
      }
      if (outcome.status === 'approved') {
        await this.settle(
          approval,
          { status: 'approved', outcome: 'proceed', settledAt: at },
          decider.actor,
          comment,
        );
      } else if (outcome.status === 'rejected') {
        await this.settle(
          approval,
          { status: 'rejected', outcome: 'reject', settledAt: at },
          decider.actor,
          comment,
        );
      } else {
        await this.events.append({
          actor: decider.actor,
          kind: 'approval.decided',
          subject: `approval/${id}`,
          payload: { ...scopeOf(approval), decision, comment, approvals: outcome.approvals },
        });
      }
    });
    this.wake();
    return this.get(id);
  }

  /** Applies an approval's expiry, if it is still pending and its time has come. */
  async expire(id: string): Promise<void> {
    const found = await this.store.get(id);
    if (!found || found.status !== 'pending') return;
    await this.locks.run(scopeKey(found), async () => {
      const approval = await this.store.get(id);
      const now = this.scheduler.clock.now();
      if (!approval || approval.status !== 'pending') return;
      // A timer longer than Node's longest (about 24.8 days) fires early: wait on.
      if (now < Date.parse(approval.expiresAt)) return this.arm(approval);
      const settledAt = new Date(now).toISOString();
      await this.settle(
        approval,
        { status: 'expired', outcome: approval.requirement.onExpiry, settledAt },
        'controller',
        '',
      );
    });
    this.wake();
  }

  /** Settles once, tells it, and moves the deployment that waits on it. */
  private async settle(
    approval: Approval,
    settlement: Settlement,
    actor: string,
    comment: string,
  ): Promise<void> {
    if (!(await this.store.settle(approval.id, settlement))) return;
    this.disarm(approval.id);
    await this.events.append({
      actor,
      kind: `approval.${settlement.status}`,
      subject: `approval/${approval.id}`,
      payload: {
        ...scopeOf(approval),
        deploymentId: approval.deploymentId,
        outcome: settlement.outcome,
        comment,
      },
    });
    if (approval.gate !== null) {
      const message = settledMessage(approval, settlement, actor, comment);
      for (const listener of this.gateListeners) await listener(approval, settlement, message);
      return;
    }
    const deployment = await this.deployments.get(approval.deploymentId);
    if (!deployment || awaitedApproval(deployment) !== approval.id) return;
    const now = this.scheduler.clock.now();
    if (settlement.outcome === 'proceed') {
      const granted = { id: approval.id, status: settlement.status };
      await this.writer.apply(deployment, approvalGranted(deployment, now, actor, granted));
      return;
    }
    const cause: AbortCause =
      settlement.status === 'expired'
        ? {
            kind: 'approvalExpired',
            approvalId: approval.id,
            expiryMs: approval.requirement.expiryMs,
          }
        : { kind: 'approvalRejected', approvalId: approval.id, actor, comment };
    await this.writer.apply(deployment, abort(deployment, cause, now, actor));
  }

  /** Withdraws the pending approvals of `deploymentId` that it no longer waits on. */
  private async withdrawAbandoned(deploymentId: string): Promise<void> {
    const pending = await this.store.list({ status: 'pending', limit: 1000 });
    for (const approval of pending.filter((a) => a.deploymentId === deploymentId)) {
      await this.withdrawIfAbandoned(approval);
    }
  }

  /**
   * Settles `approval` as `withdrawn` when its deployment is gone or waits on it no more: the
   * deployment ended, or (for a canary step) it no longer progresses. Resolves to whether it did.
   */
  private async withdrawIfAbandoned(approval: Approval): Promise<boolean> {
    const deployment = await this.deployments.get(approval.deploymentId);
    if (deployment && !abandons(deployment, approval)) return false;
    await this.locks.run(scopeKey(approval), async () => {
      const current = await this.store.get(approval.id);
      if (current?.status !== 'pending') return;
      const settledAt = new Date(this.scheduler.clock.now()).toISOString();
      const phase = deployment?.phase ?? 'gone';
      await this.settle(
        current,
        { status: 'withdrawn', outcome: 'reject', settledAt },
        'controller',
        `deployment ${approval.deploymentId} no longer waits on it (${phase})`,
      );
    });
    return true;
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined);
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  private arm(approval: Approval): void {
    this.disarm(approval.id);
    const now = this.scheduler.clock.now();
    const expiresAt = Date.parse(approval.expiresAt);
    const track = (work: Promise<unknown>) => this.track(work);
    const cancels = [
      this.scheduler.setTimer(
        () => track(this.expire(approval.id)),
        Math.min(longestTimerMs, Math.max(0, expiresAt - now)),
      ),
      ...approval.requirement.remindBeforeMs
        .filter((before) => expiresAt - before > now && expiresAt - before - now <= longestTimerMs)
        .map((before) =>
          this.scheduler.setTimer(
            () => track(this.remind(approval.id, before)),
            expiresAt - before - now,
          ),
        ),
    ];
    this.timers.set(approval.id, cancels);
  }

  private disarm(id: string): void {
    for (const cancel of this.timers.get(id) ?? []) cancel();
    this.timers.delete(id);
  }

  /** `approval.reminder`: the webhooks of the service hear that it still waits, and until when. */
  private async remind(id: string, beforeMs: number): Promise<void> {
    const approval = await this.store.get(id);
    if (!approval || approval.status !== 'pending') return;
    await this.events.append({
      actor: 'controller',
      kind: 'approval.reminder',
      subject: `approval/${id}`,
      payload: {
        ...scopeOf(approval),
        deploymentId: approval.deploymentId,
        beforeMs,
        reason: `approval ${id} still waits and expires at ${approval.expiresAt} (then: ${approval.requirement.onExpiry}); "ferry approvals approve ${id}"`,
      },
    });
  }
}

/** Node's longest timer (2^31 - 1 ms); a longer expiry is waited for in several. */
const longestTimerMs = 2_147_483_647;

/** Called when an approval a canary step waits on is settled, with a sentence saying how. */
export type GateListener = (
  approval: Approval,
  settlement: Settlement,
  message: string,
) => Promise<void>;

function settledMessage(
  approval: Approval,
  settlement: Settlement,
  actor: string,
  comment: string,
): string {
  const said = comment ? `: ${comment}` : '';
  switch (settlement.status) {
    case 'approved':
      return `approval ${approval.id} approved`;
    case 'rejected':
      return `approval ${approval.id} rejected by ${actor}${said}`;
    case 'expired':
      return `approval ${approval.id} expired with no decision (onExpiry: ${settlement.outcome})`;
    case 'withdrawn':
      return `approval ${approval.id} withdrawn${said}`;
  }
}

/**
 * Whether `deployment` no longer waits on `approval`: a pre-deploy approval once it is not the
 * awaited one (approved, or the deployment was aborted), a canary step's once the rollout no
 * longer goes forward (aborted, rolling back, ended).
 */
function abandons(deployment: Deployment, approval: Approval): boolean {
  if (approval.gate === null) return awaitedApproval(deployment) !== approval.id;
  return deployment.phase !== 'Progressing' && deployment.phase !== 'Paused';
}

function scopeOf(approval: Approval) {
  return {
    service: approval.service,
    environment: approval.environment,
    version: approval.version,
  };
}

function scopeKey(approval: Approval): string {
  return `${approval.service}/${approval.environment}`;
}
