import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalStore } from './approval-store.js';
import type { Approval, ApprovalDecision } from './domain/approval.js';

export const approvalFixture = (
  id: string,
  minute: number,
  overrides: Partial<Approval> = {},
): Approval => ({
  id,
  service: 'web',
  environment: 'prod',
  version: 'v2',
  deploymentId: `dep-${id}`,
  gate: null,
  requestedBy: 'token:ci',
  requestedAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
  expiresAt: '2026-01-01T02:00:00.000Z',
  requirement: {
    approvals: 2,
    roles: ['approver'],
    expiryMs: 7_200_000,
    onExpiry: 'reject',
    allowSelfApproval: false,
    remindBeforeMs: [1_800_000],
  },
  reasons: ['prod-migrations: environment prod, artifact migrations=true'],
  status: 'pending',
  outcome: null,
  settledAt: null,
  ...overrides,
});

const decision = (
  actor: string,
  second: number,
  overrides: Partial<ApprovalDecision> = {},
): ApprovalDecision => ({
  approvalId: 'apr-1',
  actor,
  role: 'approver',
  decision: 'approve',
  comment: `ok from ${actor}`,
  at: `2026-01-01T00:10:${String(second).padStart(2, '0')}.000Z`,
  ...overrides,
});

/** What every ApprovalStore promises; `open` gives a fresh, empty store. */
export function describeApprovalStoreContract(
  name: string,
  open: () => Promise<{ store: ApprovalStore; close(): Promise<void> }>,
): void {
  describe(`ApprovalStore contract: ${name}`, () => {
    let store: ApprovalStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back every field, by id and by deployment', async () => {
      const approval = approvalFixture('apr-1', 0, { gate: 'approval-3' });
      await store.insert(approval);
      expect(await store.get('apr-1')).toEqual(approval);
      expect(await store.forDeployment('dep-apr-1')).toEqual(approval);
      expect(await store.get('apr-x')).toBeUndefined();
      expect(await store.forDeployment('dep-x')).toBeUndefined();
    });

    it('lists newest first, by status when asked', async () => {
      await store.insert(approvalFixture('apr-1', 1));
      await store.insert(approvalFixture('apr-2', 2));
      await store.insert(approvalFixture('apr-3', 3));
      await store.settle('apr-2', {
        status: 'approved',
        outcome: 'proceed',
        settledAt: '2026-01-01T00:30:00.000Z',
      });
      expect((await store.list()).map((a) => a.id)).toEqual(['apr-3', 'apr-2', 'apr-1']);
      expect((await store.list({ status: 'pending' })).map((a) => a.id)).toEqual([
        'apr-3',
        'apr-1',
      ]);
      expect((await store.list({ limit: 1 })).map((a) => a.id)).toEqual(['apr-3']);
    });

    it('settles once: a second settlement changes nothing', async () => {
      await store.insert(approvalFixture('apr-1', 0));
      const settledAt = '2026-01-01T02:00:00.000Z';
      expect(await store.settle('apr-1', { status: 'expired', outcome: 'reject', settledAt })).toBe(
        true,
      );
      expect(
        await store.settle('apr-1', {
          status: 'approved',
          outcome: 'proceed',
          settledAt: '2026-01-01T03:00:00.000Z',
        }),
      ).toBe(false);
      expect(await store.get('apr-1')).toMatchObject({
        status: 'expired',
        outcome: 'reject',
        settledAt,
      });
    });

    it('records a person once per approval, oldest first', async () => {
      await store.insert(approvalFixture('apr-1', 0));
      expect(await store.addDecision(decision('token:alice', 1))).toBe(true);
      expect(
        await store.addDecision(
          decision('token:bob', 2, { decision: 'reject', comment: 'not now' }),
        ),
      ).toBe(true);
      expect(await store.addDecision(decision('token:alice', 3, { decision: 'reject' }))).toBe(
        false,
      );
      expect(await store.decisions('apr-1')).toEqual([
        decision('token:alice', 1),
        decision('token:bob', 2, { decision: 'reject', comment: 'not now' }),
      ]);
      expect(await store.decisions('apr-2')).toEqual([]);
    });
  });
}
