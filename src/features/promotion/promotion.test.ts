import { servicesOnFakes } from '../../../test/support/services-on-fakes.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../errors/ferry-error.js';
import { flush } from '../../../test/support/turns.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';
import { autoPromoteActor } from './auto-promoter.js';

const yaml = `apiVersion: ferry.dev/v1
environments:
  - name: dev
  - name: staging
  - name: prod
    soak: 10m
    require: [tests, { coverage: ">= 80" }]
services:
  web:
    replicas: 2
    runtime: { local: { command: node server.js } }
    routes: { dev: 127.0.0.1:18001, staging: 127.0.0.1:18002, prod: 127.0.0.1:18003 }
`;

const user = 'user:test';
let removers: (() => void)[] = [];
afterEach(() => {
  for (const remove of removers) remove();
  removers = [];
});

/** The whole server behind the API on fakes and a manual clock, with three environments. */
function world(text = yaml) {
  const fakes = servicesOnFakes(text, '2026-01-01T00:00:00Z');
  removers.push(fakes.remove);
  const { services, stores, runtime, router, scheduler } = fakes;
  const settle = async (environment: string) => {
    for (let round = 0; round < 50; round += 1) {
      await scheduler.advance(0, flush);
      await services.core.controller.reconcileNow({ service: 'web', environment });
      await flush();
    }
  };
  return {
    services,
    stores,
    runtime,
    router,
    scheduler,
    async push(version: string) {
      return services.artifacts.ingest({
        service: 'web',
        version,
        sourceCommit: null,
        bytes: tarGzOf([{ path: 'server.js', body: `console.log(${JSON.stringify(version)})\n` }]),
        actor: user,
      });
    },
    async deploy(environment: string, version: string, force = false) {
      scheduler.clock.advance(1_000);
      const result = await services.core.deployments.deploy(
        { service: 'web', environment },
        version,
        user,
        { force },
      );
      await settle(environment);
      return result;
    },
    async promote(to: string, dryRun = false) {
      scheduler.clock.advance(1_000);
      const result = await services.promotion.promotions.promote('web', to, user, { dryRun });
      if (!dryRun) await settle(to);
      return result;
    },
    async report(version: string, name: string, status: 'passed' | 'failed', values = {}) {
      scheduler.clock.advance(1_000);
      return services.gates.report({
        service: 'web',
        version,
        name,
        status,
        values,
        url: null,
        reporter: 'ci',
      });
    },
    async live(environment: string) {
      return services.core.deployments.live({ service: 'web', environment });
    },
    settle,
  };
}

/** The reasons a refused promotion gave, as the API sends them in `extra.reasons`. */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; reasons: string[] }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerryError);
  const ferry = error as FerryError;
  return {
    code: ferry.code,
    reasons: (ferry.extra.reasons as string[] | undefined) ?? [ferry.message],
  };
}

describe('promotion along the environments', () => {
  it('carries the exact digest from dev to staging to prod once soak and gates hold', async () => {
    const w = world();
    const { artifact } = await w.push('v1');
    expect((await w.deploy('dev', 'v1')).deployment.phase).toBe('Progressing');
    expect((await w.live('dev'))?.artifactDigest).toBe(artifact.digest);
    await w.promote('staging');
    expect((await w.live('staging'))?.artifactDigest).toBe(artifact.digest);
    await w.report('v1', 'tests', 'passed', { coverage: 83.2 });
    w.scheduler.clock.advance(10 * 60_000);
    const { result } = await w.promote('prod');
    expect(result?.deployment.artifactDigest).toBe(artifact.digest);
    expect((await w.live('prod'))?.artifactDigest).toBe(artifact.digest);
    const created = await w.stores.events.list({ kindPrefix: 'deployment.created', limit: 10 });
    expect(created.map((e) => e.payload['promotedFrom'] ?? null)).toEqual([null, 'dev', 'staging']);
  });

  it('refuses with the precise reason: never deployed upstream', async () => {
    const w = world();
    await w.push('v1');
    const { code, reasons } = await refusal(w.promote('staging'));
    expect(code).toBe('promotion_blocked');
    expect(reasons).toEqual(['never deployed to dev: nothing is live there to promote']);
  });

  it('refuses with the precise reason: upstream rolled back', async () => {
    const w = world();
    await w.push('v1');
    await w.push('v2');
    await w.deploy('dev', 'v1');
    await w.deploy('dev', 'v2');
    w.scheduler.clock.advance(1_000);
    await w.services.core.deployments.rollback(
      { service: 'web', environment: 'dev' },
      undefined,
      user,
    );
    await w.settle('dev');
    const { reasons } = await refusal(w.promote('staging'));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /^dev was rolled back to v1 \(dep-[^)]+\): deploy a fixed version there first$/,
    );
  });

  it('refuses with every reason at once: soak left, a gate missing, a gate below its threshold', async () => {
    const w = world();
    await w.push('v1');
    await w.deploy('dev', 'v1');
    await w.promote('staging');
    w.scheduler.clock.advance(4 * 60_000);
    await w.report('v1', 'coverage', 'passed', { coverage: 71.5 });
    const { reasons } = await refusal(w.promote('prod'));
    expect(reasons).toEqual([
      expect.stringMatching(
        /^soak not met: 5m ?5\ds of 10m left in staging$|^soak not met: .* of 10m left in staging$/,
      ),
      'gate missing: tests passed is required and v1 has no tests report',
      expect.stringMatching(
        /^gate failing: coverage >= 80 is required, coverage is 71.5 \(reported 2026-01-01T/,
      ),
    ]);
    expect(await w.live('prod')).toBeUndefined();
  });

  it('lets a newer report supersede a failing one', async () => {
    const w = world();
    await w.push('v1');
    await w.deploy('dev', 'v1');
    await w.promote('staging');
    w.scheduler.clock.advance(10 * 60_000);
    await w.report('v1', 'tests', 'failed', { coverage: 90 });
    expect((await refusal(w.promote('prod'))).reasons).toEqual([
      expect.stringMatching(/^gate failing: tests passed is required, tests failed/),
    ]);
    await w.report('v1', 'tests', 'passed', { coverage: 90 });
    expect((await w.promote('prod')).result?.noop).toBe(false);
  });

  it('refuses a direct deploy into an environment that promotes from another, unless forced', async () => {
    const w = world();
    await w.push('v1');
    const refused = await refusal(w.deploy('staging', 'v1'));
    expect(refused.code).toBe('promotion_required');
    expect(refused.reasons[0]).toContain(
      'staging promotes from dev: "ferry promote web --to staging"',
    );
    expect(await w.live('staging')).toBeUndefined();
    await w.deploy('staging', 'v1', true);
    expect((await w.live('staging'))?.version).toBe('v1');
    const [created] = await w.stores.events.list({ kindPrefix: 'deployment.created', limit: 1 });
    expect(created?.payload['forced']).toBe(true);
  });

  it('keeps required gates on a forced deploy', async () => {
    const w = world();
    await w.push('v1');
    const { code, reasons } = await refusal(w.deploy('prod', 'v1', true));
    expect(code).toBe('promotion_blocked');
    expect(reasons[0]).toContain('gate missing: tests passed is required');
  });

  it('changes nothing on a dry run: store, runtime and router tables are the same after', async () => {
    const w = world();
    await w.push('v1');
    await w.deploy('dev', 'v1');
    const snapshot = async () =>
      JSON.stringify([
        await w.stores.deployments.list({ service: 'web', environment: 'staging' }, 10),
        await w.stores.deployments.list({ service: 'web', environment: 'dev' }, 10),
        await w.stores.instances.listLive(),
        await w.stores.events.list({ limit: 1000 }),
        w.runtime.list().map((s) => [s.spec.instanceId, s.phase]),
        w.router.tableOf('web', 'staging', 'main') ?? null,
        w.router.tableOf('web', 'dev', 'main') ?? null,
      ]);
    const before = await snapshot();
    const { plan, result } = await w.promote('staging', true);
    expect(result).toBeNull();
    expect(plan).toMatchObject({
      from: 'dev',
      to: 'staging',
      artifact: { version: 'v1' },
      current: null,
      upToDate: false,
      blockers: [],
      strategy: 'rolling',
    });
    expect(await snapshot()).toBe(before);
  });

  it('promotes by itself into an autoPromote environment once staging soaked and passed its gates', async () => {
    const w = world(yaml.replace('    soak: 10m\n', '    soak: 10m\n    autoPromote: true\n'));
    const { artifact } = await w.push('v1');
    await w.deploy('dev', 'v1');
    await w.promote('staging');
    await w.report('v1', 'tests', 'passed', { coverage: 91 });
    const promoter = w.services.promotion.autoPromoter;
    expect(await promoter.tick()).toEqual([]);
    w.scheduler.clock.advance(10 * 60_000);
    expect(await promoter.tick()).toEqual([{ service: 'web', to: 'prod', version: 'v1' }]);
    await w.settle('prod');
    const live = await w.live('prod');
    expect(live?.artifactDigest).toBe(artifact.digest);
    expect(live?.actor).toBe(autoPromoteActor);
    // Once there, nothing more to do.
    expect(await promoter.tick()).toEqual([]);
  });
});
