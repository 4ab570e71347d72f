import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { composeServices } from '../../composition/compose-services.js';
import { inMemoryStores } from '../../composition/in-memory-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { FerryError } from '../../errors/ferry-error.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import { capturedLogger } from '../../../test/support/captured-logger.js';
import { flush } from '../../../test/support/turns.js';
import { ManualScheduler } from '../analysis/manual-scheduler.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';
import type { Decider } from './domain/decide-approval.js';

const yaml = (require: string, tail: string, service: string) => `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
services:
  web:
    replicas: 2
    runtime: { local: { command: node server.js } }
    routes: { staging: 127.0.0.1:18002, prod: 127.0.0.1:18003 }
${service}risk:
  rules:
    - name: prod-migrations
      when: { environments: [prod], meta: { migrations: "true" } }
      require: ${require}
${tail}`;

const quorumOfTwo = '{ approvals: 2, roles: [approver], expiry: 2h, remindBefore: [30m] }';
const ci = 'token:ci';
const alice = { actor: 'token:alice', role: 'approver' } as const;
const bob = { actor: 'token:bob', role: 'approver' } as const;

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** The server behind the API on fakes and a manual clock; `restart` builds a new one on the same stores. */
function world(require = quorumOfTwo, tail = '', service = '') {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-approvals-'));
  dirs.push(dir);
  const scheduler = new ManualScheduler(Date.parse('2026-01-01T00:00:00Z'));
  const stores = inMemoryStores();
  const router = new FakeTrafficRouter();
  let runtime = new FakeInstanceRuntime({ autoReady: true, scheduler });
  const build = () =>
    composeServices(
      {
        config: parseConfig(yaml(require, tail, service), 'ferry.yaml'),
        clock: scheduler.clock,
        scheduler,
        dataDir: dir,
        logger: capturedLogger().logger,
        locks: new KeyedQueue(),
        tickMs: 3_600_000,
      },
      { stores, runtime, router },
    );
  let services = build();
  void services.approvals.start();
  const settle = async (environment: string) => {
    for (let round = 0; round < 40; round += 1) {
      await scheduler.advance(0, flush);
      await services.core.controller.reconcileNow({ service: 'web', environment });
      await flush();
    }
  };
  const w = {
    get services() {
      return services;
    },
    stores,
    scheduler,
    router,
    get runtime() {
      return runtime;
    },
    async push(version: string, meta: Record<string, string> = {}) {
      return services.artifacts.ingest({
        service: 'web',
        version,
        sourceCommit: null,
        bytes: tarGzOf([{ path: 'server.js', body: `console.log(${JSON.stringify(version)})\n` }]),
        actor: ci,
        metadata: { branch: null, buildUrl: null, meta },
      });
    },
    async deploy(environment: string, version: string, actor = ci) {
      scheduler.clock.advance(1_000);
      const result = await services.core.deployments.deploy(
        { service: 'web', environment },
        version,
        actor,
        { force: true },
      );
      await settle(environment);
      return (await stores.deployments.get(result.deployment.id))!;
    },
    async promote(to: string) {
      scheduler.clock.advance(1_000);
      const { result } = await services.promotion.promotions.promote('web', to, ci);
      await settle(to);
      return (await stores.deployments.get(result!.deployment.id))!;
    },
    async pending() {
      const [view] = await services.approvals.list({ status: 'pending' });
      if (!view) throw new Error('no pending approval');
      return view.approval;
    },
    async decide(id: string, who: Decider, decision: 'approve' | 'reject', comment = '') {
      const view = await services.approvals.decide(id, who, decision, comment);
      await settle(view.approval.environment);
      return view;
    },
    async advance(ms: number, environment = 'prod') {
      await scheduler.advance(ms, flush);
      await flush();
      await settle(environment);
    },
    async get(id: string) {
      return (await stores.deployments.get(id))!;
    },
    /** Versions the runtime runs in prod, sorted. */
    prodVersions() {
      return runtime
        .list()
        .filter((s) => s.phase === 'ready' && s.spec.environment === 'prod')
        .map((s) => s.spec.version)
        .sort();
    },
    async events(prefix: string) {
      return (await stores.events.list({ kindPrefix: prefix, limit: 1000 })).map((e) => e.kind);
    },
    async restart() {
      await services.core.controller.stop();
      await services.approvals.stop();
      await runtime.detach();
      runtime = FakeInstanceRuntime.restartFrom(runtime);
      // A restart takes time: runs of the new server start after those of the old one.
      scheduler.clock.advance(1_000);
      services = build();
      await services.approvals.start();
      const starting = services.core.controller.start();
      for (let i = 0; i < 20; i++) await scheduler.advance(0, flush);
      await starting;
      await settle('prod');
    },
  };
  return w;
}

/** A prod running v1, and v2 with migrations=true promoted from staging: waiting for approval. */
async function waitingPromotion(require = quorumOfTwo) {
  const w = world(require);
  await w.push('v1');
  await w.deploy('staging', 'v1');
  await w.promote('prod');
  await w.push('v2', { migrations: 'true' });
  await w.deploy('staging', 'v2');
  const waiting = await w.promote('prod');
  return { w, waiting, approval: await w.pending() };
}

async function refusal(promise: Promise<unknown>): Promise<FerryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerryError);
  return error as FerryError;
}

describe('approvals raised by the risk policy', () => {
  it('a low-risk staging deploy proceeds without approval', async () => {
    const w = world();
    await w.push('v1', { migrations: 'true' });
    const deployment = await w.deploy('staging', 'v1');
    expect(deployment.phase).toBe('Succeeded');
    expect(await w.services.approvals.list()).toEqual([]);
  });

  it('the dry-run plan shows the assessment and the rule that matched', async () => {
    const w = world();
    await w.push('v1', { migrations: 'true' });
    await w.deploy('staging', 'v1');
    const { plan } = await w.services.promotion.promotions.promote('web', 'prod', ci, {
      dryRun: true,
    });
    expect(plan.risk).toMatchObject({
      level: 'high',
      matched: [
        { rule: 'prod-migrations', reasons: ['environment prod', 'artifact migrations=true'] },
      ],
      requirement: { approvals: 2, expiryMs: 7_200_000, onExpiry: 'reject' },
    });
    const low = await w.services.promotion.promotions.plan('web', 'staging');
    expect(low.risk).toEqual({ level: 'low', matched: [], requirement: null });
  });

  it('a prod promotion of an artifact with migrations=true waits, holding no new instance', async () => {
    const { w, waiting, approval } = await waitingPromotion();
    expect(waiting.phase).toBe('Paused');
    expect(waiting.reason).toContain(`waiting for approval ${approval.id}`);
    expect(approval).toMatchObject({
      environment: 'prod',
      version: 'v2',
      deploymentId: waiting.id,
      requestedBy: ci,
      expiresAt: '2026-01-01T02:00:04.000Z',
      reasons: ['prod-migrations: environment prod, artifact migrations=true'],
    });
    expect(w.prodVersions()).toEqual(['v1', 'v1']);
    expect(await w.events('approval.')).toEqual(['approval.requested']);
    // The rollout commands cannot go around it.
    const resumed = await refusal(
      w.services.core.rollouts.act({ service: 'web', environment: 'prod' }, 'resume', ci),
    );
    expect(resumed.message).toContain(`waits for approval ${approval.id}`);
  });

  it('a quorum of two: one approval keeps it waiting, the second starts the rollout', async () => {
    const { w, waiting, approval } = await waitingPromotion();
    const first = await w.decide(approval.id, alice, 'approve', 'schema reviewed');
    expect(first.approval.status).toBe('pending');
    expect((await w.get(waiting.id)).phase).toBe('Paused');
    expect(w.prodVersions()).toEqual(['v1', 'v1']);
    const second = await w.decide(approval.id, bob, 'approve');
    expect(second.approval).toMatchObject({ status: 'approved', outcome: 'proceed' });
    expect(second.decisions.map((d) => [d.actor, d.decision, d.comment])).toEqual([
      ['token:alice', 'approve', 'schema reviewed'],
      ['token:bob', 'approve', ''],
    ]);
    expect((await w.get(waiting.id)).phase).toBe('Succeeded');
    expect(w.prodVersions()).toEqual(['v2', 'v2']);
    expect(await w.events('approval.')).toEqual([
      'approval.requested',
      'approval.decided',
      'approval.approved',
    ]);
  });

  it('a rejection aborts: prod keeps v1 and the reason names who rejected and why', async () => {
    const { w, waiting, approval } = await waitingPromotion();
    await w.decide(approval.id, alice, 'reject', 'migration locks the orders table');
    const rejected = await w.get(waiting.id);
    expect(rejected.phase).toBe('RolledBack');
    expect(rejected.reason).toBe(
      `approval ${approval.id} rejected by token:alice: migration locks the orders table`,
    );
    expect(w.prodVersions()).toEqual(['v1', 'v1']);
    const late = await refusal(w.services.approvals.decide(approval.id, bob, 'approve', ''));
    expect(late.message).toBe(`approval ${approval.id} is rejected already`);
  });

  it('the deployer cannot approve their own deployment, and a person decides once', async () => {
    const { w, approval } = await waitingPromotion();
    const self = await refusal(
      w.services.approvals.decide(approval.id, { actor: ci, role: 'admin' }, 'approve', ''),
    );
    expect(self.code).toBe('forbidden');
    expect(self.message).toContain('token:ci asked for this change and may not approve it');
    await w.decide(approval.id, alice, 'approve');
    const twice = await refusal(w.services.approvals.decide(approval.id, alice, 'approve', ''));
    expect(twice.code).toBe('conflict');
    expect((await w.services.approvals.get(approval.id)).approval.status).toBe('pending');
  });

  it('expiry with onExpiry reject (the default) fails the change at its time, not before', async () => {
    const { w, waiting, approval } = await waitingPromotion();
    await w.advance(90 * 60_000);
    expect(await w.events('approval.')).toEqual(['approval.requested', 'approval.reminder']);
    expect((await w.get(waiting.id)).phase).toBe('Paused');
    await w.advance(30 * 60_000);
    const expired = await w.get(waiting.id);
    expect(expired.phase).toBe('RolledBack');
    expect(expired.reason).toBe(
      `approval ${approval.id} expired after 2h with no decision (onExpiry: reject)`,
    );
    expect((await w.services.approvals.get(approval.id)).approval).toMatchObject({
      status: 'expired',
      outcome: 'reject',
    });
    expect(w.prodVersions()).toEqual(['v1', 'v1']);
  });

  it('an expiry longer than the longest timer still applies at its time, not before', async () => {
    const { w, waiting } = await waitingPromotion('{ expiry: 720h, remindBefore: [1h] }');
    await w.advance(29 * 24 * 3_600_000);
    expect((await w.get(waiting.id)).phase).toBe('Paused');
    expect(await w.events('approval.')).toEqual(['approval.requested']);
    await w.advance(23 * 3_600_000);
    expect(await w.events('approval.')).toEqual(['approval.requested', 'approval.reminder']);
    await w.advance(3_600_000);
    expect((await w.get(waiting.id)).phase).toBe('RolledBack');
  });

  it('expiry with onExpiry proceed lets the change go on', async () => {
    const { w, waiting } = await waitingPromotion('{ expiry: 1h, onExpiry: proceed }');
    await w.advance(60 * 60_000);
    expect((await w.get(waiting.id)).phase).toBe('Succeeded');
    expect(w.prodVersions()).toEqual(['v2', 'v2']);
  });

  it('a person aborting the waiting deployment withdraws its approval at once', async () => {
    const { w, waiting, approval } = await waitingPromotion();
    await w.services.core.rollouts.act({ service: 'web', environment: 'prod' }, 'abort', ci);
    await w.advance(0);
    expect((await w.get(waiting.id)).phase).not.toBe('Paused');
    expect((await w.services.approvals.get(approval.id)).approval).toMatchObject({
      status: 'withdrawn',
      outcome: 'reject',
    });
    expect(await w.services.approvals.list({ status: 'pending' })).toEqual([]);
    expect(await w.events('approval.')).toEqual(['approval.requested', 'approval.withdrawn']);
    const late = await refusal(w.services.approvals.decide(approval.id, alice, 'approve', ''));
    expect(late.message).toBe(`approval ${approval.id} is withdrawn already`);
    expect(w.prodVersions()).toEqual(['v1', 'v1']);
  });

  it('an approval whose deployment was aborted while the server was down is withdrawn at start', async () => {
    const { w, approval } = await waitingPromotion();
    await w.services.approvals.stop();
    await w.services.core.rollouts.act({ service: 'web', environment: 'prod' }, 'abort', ci);
    expect((await w.services.approvals.get(approval.id)).approval.status).toBe('pending');
    await w.restart();
    expect((await w.services.approvals.get(approval.id)).approval.status).toBe('withdrawn');
  });

  it('a restart while waiting keeps the approval and the rollout, and its expiry', async () => {
    const { w, waiting, approval } = await waitingPromotion();
    await w.decide(approval.id, alice, 'approve');
    await w.restart();
    expect((await w.get(waiting.id)).phase).toBe('Paused');
    expect(w.prodVersions()).toEqual(['v1', 'v1']);
    const backends = Object.values(w.router.tableOf('web', 'prod', 'main')?.backends ?? {});
    expect(backends.flat().map((u) => u.version)).toEqual(['v1', 'v1']);
    // Alice's approval survived: Bob's is the second of the quorum.
    await w.decide(approval.id, bob, 'approve');
    expect((await w.get(waiting.id)).phase).toBe('Succeeded');
    expect(w.prodVersions()).toEqual(['v2', 'v2']);
  });

  it('an effect: approval window a rule covers asks for approval instead of refusing', async () => {
    const w = world(
      quorumOfTwo,
      `    - name: release-train
      when: { windowApproval: true }
      require: { expiry: 1h }
windows:
  - name: year-end
    environments: [prod]
    effect: approval
    between: { from: 2025-12-20T00:00:00Z, to: 2026-01-04T00:00:00Z }
`,
    );
    await w.push('v1');
    const waiting = await w.deploy('prod', 'v1');
    expect(waiting.phase).toBe('Paused');
    expect((await w.pending()).reasons).toEqual([
      'release-train: window year-end requires approval',
    ]);
    await w.decide((await w.pending()).id, alice, 'approve');
    expect((await w.get(waiting.id)).phase).toBe('Succeeded');
  });

  it('webhooks hear of the request and of each reminder before expiry', async () => {
    const bodies: { kind: string; text: string }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body) as { kind: string; text: string });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    try {
      const w = world(
        '{ expiry: 2h, remindBefore: [30m, 10m] }',
        '',
        `    notifications: { webhooks: [{ url: "${url}" }] }\n`,
      );
      w.services.notifier.start();
      await w.push('v1');
      await w.deploy('staging', 'v1');
      await w.promote('prod');
      await w.push('v2', { migrations: 'true' });
      await w.deploy('staging', 'v2');
      await w.promote('prod');
      await w.advance(100 * 60_000);
      await w.advance(10 * 60_000);
      await vi.waitFor(() => expect(bodies).toHaveLength(3));
      await w.services.notifier.stop();
      expect(bodies.map((b) => b.kind)).toEqual([
        'approval.requested',
        'approval.reminder',
        'approval.reminder',
      ]);
      expect(bodies[1]?.text).toMatch(
        /^Ferry: web v2 in prod still waits for approval: approval apr-\S+ still waits and expires at 2026-01-01T02:00:04.000Z \(then: reject\)/,
      );
    } finally {
      hook.close();
    }
  });

  it('after a restart, the pending expiry still applies', async () => {
    const { w, waiting } = await waitingPromotion();
    await w.restart();
    await w.advance(2 * 60 * 60_000);
    expect((await w.get(waiting.id)).phase).toBe('RolledBack');
  });
});

const canary = `    strategy:
      canary:
        steps:
          - setWeight: 50
          - approval: { approvals: 2, expiry: 1h }
          - setWeight: 100
`;

describe('a canary approval step', () => {
  /** Prod runs v1; v2 (low risk) goes out as a canary and stands at its approval step. */
  async function atApprovalStep() {
    const w = world(quorumOfTwo, '', canary);
    await w.push('v1');
    await w.deploy('prod', 'v1');
    await w.push('v2');
    const rollout = await w.deploy('prod', 'v2');
    return { w, rollout, approval: await w.pending() };
  }

  it('stands at the step with half the traffic until the quorum approves, then finishes', async () => {
    const { w, rollout, approval } = await atApprovalStep();
    expect(approval).toMatchObject({ gate: 'approval-2', deploymentId: rollout.id });
    expect((await w.get(rollout.id)).rollout?.stepIndex).toBe(1);
    expect(new Set(w.prodVersions())).toEqual(new Set(['v1', 'v2']));
    const promoted = await refusal(
      w.services.core.rollouts.act({ service: 'web', environment: 'prod' }, 'promote', ci),
    );
    expect(promoted.message).toContain('step 2 of');
    await w.decide(approval.id, alice, 'approve');
    expect((await w.get(rollout.id)).phase).toBe('Progressing');
    await w.decide(approval.id, bob, 'approve');
    expect((await w.get(rollout.id)).phase).toBe('Succeeded');
    expect(w.prodVersions()).toEqual(['v2', 'v2']);
  });

  it('expiry (reject) aborts the canary back to v1 with the reason', async () => {
    const { w, rollout, approval } = await atApprovalStep();
    await w.advance(60 * 60_000);
    const aborted = await w.get(rollout.id);
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toContain(
      `approval ${approval.id} expired with no decision (onExpiry: reject)`,
    );
  });

  it('a restart at the step keeps the approval and its decisions', async () => {
    const { w, rollout, approval } = await atApprovalStep();
    await w.decide(approval.id, alice, 'approve');
    await w.restart();
    expect((await w.get(rollout.id)).phase).toBe('Progressing');
    expect(
      (await w.services.approvals.list({ status: 'pending' })).map((v) => v.approval.id),
    ).toEqual([approval.id]);
    await w.decide(approval.id, bob, 'approve');
    expect((await w.get(rollout.id)).phase).toBe('Succeeded');
  });
});
