import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeServices } from '../../composition/compose-services.js';
import { inMemoryStores } from '../../composition/in-memory-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import { capturedLogger } from '../../../test/support/captured-logger.js';
import { flush } from '../../../test/support/turns.js';
import { ManualScheduler } from '../analysis/manual-scheduler.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';

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

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function world() {
  dir = mkdtempSync(join(tmpdir(), 'ferry-deploy-plan-'));
  const scheduler = new ManualScheduler(Date.parse('2026-01-01T00:00:00Z'));
  const stores = inMemoryStores();
  const runtime = new FakeInstanceRuntime({ autoReady: true, scheduler });
  const router = new FakeTrafficRouter();
  const services = composeServices(
    {
      config: parseConfig(yaml, 'ferry.yaml'),
      clock: scheduler.clock,
      scheduler,
      dataDir: dir,
      logger: capturedLogger().logger,
      locks: new KeyedQueue(),
      tickMs: 3_600_000,
    },
    { stores, runtime, router },
  );
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
