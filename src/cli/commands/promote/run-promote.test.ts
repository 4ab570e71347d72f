import { afterEach, describe, expect, it } from 'vitest';
import type { PromotionPlan } from '../../api-types.js';
import { main } from '../../main.js';
import { deploymentFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi, type FakeRoutes } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const digest = (c: string) => `sha256:${c.repeat(64)}`;

function plan(fields: Partial<PromotionPlan> = {}): PromotionPlan {
  return {
    service: 'web',
    from: 'staging',
    to: 'prod',
    artifact: { version: 'v2', digest: digest('b'), sourceCommit: null },
    current: { version: 'v1', digest: digest('a'), sourceCommit: null },
    upToDate: false,
    blockers: [],
    reasons: [],
    configChanges: [{ path: 'replicas', before: 2, after: 3 }],
    strategy: 'canary (4 steps)',
    risk: { level: 'low', matched: [], requirement: null },
    ...fields,
  };
}

const blockedBody = {
  error: {
    code: 'promotion_blocked',
    message:
      'cannot promote web to prod: soak not met: 4m of 10m left in staging; gate missing: tests passed is required and v2 has no tests report',
    blockers: [{ kind: 'soak_not_met' }, { kind: 'gate_missing' }],
  },
};

describe('ferry promote', () => {
  it('prints the dry-run plan and changes nothing: exit 0 when it could go', async () => {
    api = await startFakeApi((r) =>
      r.method === 'POST' && r.path === '/api/v1/promotions'
        ? { json: { plan: plan(), deployment: null, noop: false } }
        : undefined,
    );
    const out = captureIo();
    const args = ['promote', 'web', '--to', 'prod', '--dry-run', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      service: 'web',
      to: 'prod',
      dryRun: true,
    });
    expect(out.stderr()).toBe(
      [
        'promote web staging → prod (dry run: nothing changes)',
        `  prod now:   v1 (${'a'.repeat(12)})`,
        `  prod after: v2 (${'b'.repeat(12)})`,
        '  strategy: canary (4 steps)',
        '  config:',
        '    replicas: 2 → 3',
        '  risk: low (no approval needed)',
        '  ready to promote',
        '',
      ].join('\n'),
    );
  });

  it('shows a high-risk assessment: what it waits for and each matched rule with why', async () => {
    const risk: PromotionPlan['risk'] = {
      level: 'high',
      matched: [
        { rule: 'prod-migrations', reasons: ['environment prod', 'artifact migrations=true'] },
      ],
      requirement: {
        approvals: 2,
        roles: ['approver'],
        expiryMs: 7_200_000,
        onExpiry: 'reject',
        allowSelfApproval: false,
        remindBeforeMs: [],
      },
    };
    api = await startFakeApi((r) =>
      r.method === 'POST' && r.path === '/api/v1/promotions'
        ? { json: { plan: plan({ risk }), deployment: null, noop: false } }
        : undefined,
    );
    const out = captureIo();
    const args = ['promote', 'web', '--to', 'prod', '--dry-run', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(out.stderr()).toContain(
      [
        '  risk: high: waits for 2 approvals (approver), expires after 2h, then reject',
        '    - prod-migrations: environment prod, artifact migrations=true',
        '  ready to promote',
      ].join('\n'),
    );
  });

  it('lists every reason of a blocked dry run and exits 1', async () => {
    const reasons = [
      'soak not met: 4m of 10m left in staging',
      'gate missing: tests passed is required',
    ];
    api = await startFakeApi(() => ({
      json: {
        plan: plan({ blockers: [{ kind: 'soak_not_met' }, { kind: 'gate_missing' }], reasons }),
        deployment: null,
        noop: false,
      },
    }));
    const out = captureIo();
    expect(
      await main(['promote', 'web', '--to', 'prod', '--dry-run', '--server', api.url], out.io),
    ).toBe(1);
    expect(out.stderr()).toContain(`  blocked:\n    - ${reasons[0]}\n    - ${reasons[1]}\n`);
  });

  it('says every reason in one line when the promotion is refused', async () => {
    api = await startFakeApi(() => ({ status: 409, json: blockedBody }));
    const out = captureIo();
    expect(await main(['promote', 'web', '--to', 'prod', '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe(`error: ${blockedBody.error.message}\n`);
  });

  it('promotes a group in its declared order and follows each rollout', async () => {
    const routes: FakeRoutes = (r) => {
      if (r.path === '/api/v1/groups') return { json: { groups: { backend: ['api', 'web'] } } };
      if (r.method === 'POST' && r.path === '/api/v1/promotions') {
        const { service } = JSON.parse(r.body.toString()) as { service: string };
        return {
          status: 201,
          json: {
            plan: plan({ service }),
            deployment: deploymentFixture({
              service,
              phase: 'Succeeded',
              finishedAt: '2025-01-02T03:05:00.000Z',
            }),
            noop: false,
          },
        };
      }
      if (r.path.startsWith('/api/v1/deployments/')) {
        return {
          json: deploymentFixture({ phase: 'Succeeded', finishedAt: '2025-01-02T03:05:00.000Z' }),
        };
      }
      if (r.path.startsWith('/api/v1/services/'))
        return { json: { name: 'web', environments: [] } };
      return undefined;
    };
    api = await startFakeApi(routes);
    const out = captureIo();
    expect(
      await main(['promote', '--group', 'backend', '--to', 'prod', '--server', api.url], out.io),
    ).toBe(0);
    const promoted = api.requests
      .filter((r) => r.path === '/api/v1/promotions')
      .map((r) => (JSON.parse(r.body.toString()) as { service: string }).service);
    expect(promoted).toEqual(['api', 'web']);
  });

  it('names the declared groups when the group is unknown', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/groups' ? { json: { groups: { backend: ['web'] } } } : undefined,
    );
    const out = captureIo();
    expect(
      await main(['promote', '--group', 'front', '--to', 'prod', '--server', api.url], out.io),
    ).toBe(1);
    expect(out.stderr()).toBe('error: unknown group "front"; ferry.yaml declares backend\n');
  });

  it('sends --emergency with its reason, and refuses a blank one', async () => {
    api = await startFakeApi(() => ({
      status: 201,
      json: {
        plan: plan(),
        deployment: deploymentFixture({ emergency: { reason: 'payments down' } }),
        noop: false,
      },
    }));
    const out = captureIo();
    const args = ['promote', 'web', '--to', 'prod', '--no-wait', '--server', api.url];
    expect(await main([...args, '--emergency', ' payments down '], out.io)).toBe(0);
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      service: 'web',
      to: 'prod',
      dryRun: false,
      emergency: { reason: 'payments down' },
    });
    const blank = captureIo();
    expect(await main([...args, '--emergency', ''], blank.io)).toBe(2);
    expect(blank.stderr()).toBe(
      'error: --emergency needs a reason, e.g. --emergency "CVE-2026-1234 hotfix"\n',
    );
    expect(api.requests).toHaveLength(1);
  });

  it('takes one of a service, --all or --group', async () => {
    const out = captureIo();
    expect(await main(['promote', 'web', '--all', '--to', 'prod'], out.io)).toBe(2);
    expect(out.stderr()).toBe('error: give one of <service>, --all or --group\n');
  });
});
