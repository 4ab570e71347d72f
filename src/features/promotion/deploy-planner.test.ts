import { servicesOnFakes } from '../../../test/support/services-on-fakes.js';
import { afterEach, describe, expect, it } from 'vitest';
import { flush } from '../../../test/support/turns.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';

const yaml = `apiVersion: ferry.dev/v1
environments:
  - name: dev
  - name: prod
risk:
  rules:
    - name: prod-migrations
      when: { environments: [prod], meta: { migrations: 'true' } }
      require: { approvals: 2, expiry: 2h }
services:
  web:
    runtime: { local: { command: node server.js } }
    routes: { dev: 127.0.0.1:18001, prod: 127.0.0.1:18003 }
`;

let remove: (() => void) | undefined;
afterEach(() => {
  remove?.();
  remove = undefined;
});

function world() {
  const fakes = servicesOnFakes(yaml, '2026-01-01T00:00:00Z');
  remove = fakes.remove;
  const { services, stores, runtime, router } = fakes;
  const push = (version: string, meta: Record<string, string> = {}) =>
    services.artifacts.ingest({
      service: 'web',
      version,
      sourceCommit: null,
      ...(Object.keys(meta).length > 0 ? { metadata: { branch: null, buildUrl: null, meta } } : {}),
      bytes: tarGzOf([{ path: 'server.js', body: `console.log(${JSON.stringify(version)})\n` }]),
      actor: 'user:test',
    });
  return { services, stores, runtime, router, push };
}

describe('ferry deploy --dry-run (DeployPlanner)', () => {
  it('plans a low-risk deploy into the entry environment and changes nothing', async () => {
    const w = world();
    await w.push('v1');
    const before = JSON.stringify([await w.stores.events.list({ limit: 100 }), w.runtime.list()]);
    const plan = await w.services.promotion.deployPlanner.plan(
      { service: 'web', environment: 'dev' },
      'v1',
      {},
    );
    expect(plan).toMatchObject({
      artifact: { version: 'v1' },
      current: null,
      upToDate: false,
      refusal: null,
      strategy: 'rolling',
      risk: { level: 'low', requirement: null },
    });
    expect(JSON.stringify([await w.stores.events.list({ limit: 100 }), w.runtime.list()])).toBe(
      before,
    );
    expect(await w.stores.deployments.list({ service: 'web', environment: 'dev' }, 10)).toEqual([]);
  });

  it('says the deploy would be refused, and which risk rules match, without deploying', async () => {
    const w = world();
    await w.push('v2', { migrations: 'true' });
    const plan = await w.services.promotion.deployPlanner.plan(
      { service: 'web', environment: 'prod' },
      'v2',
      {},
    );
    expect(plan.refusal?.code).toBe('promotion_required');
    expect(plan.risk.level).toBe('high');
    expect(plan.risk.matched.map((m) => m.rule)).toEqual(['prod-migrations']);
    expect(plan.risk.requirement?.approvals).toBe(2);
    const forced = await w.services.promotion.deployPlanner.plan(
      { service: 'web', environment: 'prod' },
      'v2',
      { force: true },
    );
    expect(forced.refusal).toBeNull();
    await flush();
    expect(await w.stores.deployments.list({ service: 'web', environment: 'prod' }, 10)).toEqual(
      [],
    );
  });
});
