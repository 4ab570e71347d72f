import { describe, expect, it } from 'vitest';
import type { Approval, ApprovalDecision } from './approval.js';
import { decideApproval } from './decide-approval.js';

const approval = (overrides: Partial<Approval['requirement']> = {}): Approval => ({
  id: 'apr-1',
  service: 'web',
  environment: 'prod',
  version: 'v2',
  deploymentId: 'dep-1',
  gate: null,
  requestedBy: 'token:ci',
  requestedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T02:00:00.000Z',
  requirement: {
    approvals: 2,
    roles: ['approver'],
    expiryMs: 7_200_000,
    onExpiry: 'reject',
    allowSelfApproval: false,
    remindBeforeMs: [],
    ...overrides,
  },
  reasons: [],
  status: 'pending',
  outcome: null,
  settledAt: null,
});

const approved = (actor: string): ApprovalDecision => ({
  approvalId: 'apr-1',
  actor,
  role: 'approver',
  decision: 'approve',
  comment: '',
  at: '2026-01-01T00:10:00.000Z',
});

describe('decideApproval', () => {
  it('two approvers reach a quorum of two; one is not enough', () => {
    const alice = { actor: 'token:alice', role: 'approver' } as const;
    const bob = { actor: 'token:bob', role: 'approver' } as const;
    expect(decideApproval(approval(), [], alice, 'approve')).toEqual({
      accepted: true,
      status: 'pending',
      approvals: 1,
    });
    expect(decideApproval(approval(), [approved('token:alice')], bob, 'approve')).toEqual({
      accepted: true,
      status: 'approved',
      approvals: 2,
    });
  });

  it('one rejection rejects', () => {
    const outcome = decideApproval(
      approval(),
      [approved('token:alice')],
      { actor: 'token:bob', role: 'approver' },
      'reject',
    );
    expect(outcome).toMatchObject({ accepted: true, status: 'rejected' });
  });

  it('a person decides once', () => {
    const outcome = decideApproval(
      approval(),
      [approved('token:alice')],
      { actor: 'token:alice', role: 'approver' },
      'approve',
    );
    expect(outcome).toEqual({
      accepted: false,
      refusal: { kind: 'decidedAlready', decision: 'approve' },
    });
  });

  it('the requester cannot approve their own change unless allowed; they may reject it', () => {
    const self = { actor: 'token:ci', role: 'admin' } as const;
    expect(decideApproval(approval(), [], self, 'approve')).toEqual({
      accepted: false,
      refusal: { kind: 'selfApproval' },
    });
    expect(
      decideApproval(approval({ allowSelfApproval: true, approvals: 1 }), [], self, 'approve'),
    ).toMatchObject({ accepted: true, status: 'approved' });
    expect(decideApproval(approval(), [], self, 'reject')).toMatchObject({ status: 'rejected' });
  });

  it('a role the requirement does not name is refused; admin always counts', () => {
    expect(
      decideApproval(approval(), [], { actor: 'token:dev', role: 'deployer' }, 'approve'),
    ).toEqual({
      accepted: false,
      refusal: { kind: 'role', role: 'deployer', roles: ['approver'] },
    });
    expect(
      decideApproval(approval(), [], { actor: 'token:root', role: 'admin' }, 'approve'),
    ).toMatchObject({ accepted: true });
  });

  it('a settled approval takes no more decisions', () => {
    const settled = { ...approval(), status: 'expired' as const };
    expect(
      decideApproval(settled, [], { actor: 'token:bob', role: 'approver' }, 'approve'),
    ).toEqual({ accepted: false, refusal: { kind: 'settled', status: 'expired' } });
  });
});
