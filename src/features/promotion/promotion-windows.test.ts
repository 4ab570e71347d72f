import { servicesOnFakes } from '../../../test/support/services-on-fakes.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.js';
import { FerryError } from '../../errors/ferry-error.js';
import { flush } from '../../../test/support/turns.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';
import { environmentMatrix } from './environment-matrix.js';

// Fridays 18:00 in Berlin for 62 hours, in prod only: 2026-12-04T17:00Z to 2026-12-07T07:00Z.
const yaml = `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
    autoPromote: true
services:
  web:
    replicas: 1
    runtime: { local: { command: node server.js } }
    routes: { staging: 127.0.0.1:18102, prod: 127.0.0.1:18103 }
windows:
  - name: weekend-freeze
    environments: [prod]
    effect: block
    recurring: { cron: "0 18 * * 5", duration: 62h, timeZone: Europe/Berlin }
`;

const frozen = 'prod is frozen by weekend-freeze until 2026-12-07T08:00:00+01:00 (Europe/Berlin)';
const user = 'user:test';
let removers: (() => void)[] = [];
afterEach(() => {
  for (const remove of removers) remove();
  removers = [];
});

/** The server's services on fakes, a manual clock set to Saturday noon in Berlin. */
function world(text = yaml) {
  const fakes = servicesOnFakes(text, '2026-12-05T11:00:00Z');
  removers.push(fakes.remove);
  const { services, stores, scheduler } = fakes;
  /** Until the rollout there has ended: instances start, old ones drain (time moves 100 ms a round). */
  const settle = async (environment: string) => {
    for (let round = 0; round < 50; round += 1) {
      await scheduler.advance(100, flush);
      await services.core.controller.reconcileNow({ service: 'web', environment });
      await flush();
    }
  };
  const push = (version: string) =>
    services.artifacts.ingest({
      service: 'web',
      version,
      sourceCommit: null,
      bytes: tarGzOf([{ path: 'server.js', body: `console.log(${JSON.stringify(version)})\n` }]),
      actor: user,
    });
  const deploy = async (environment: string, version: string, reason?: string) => {
    const result = await services.core.deployments.deploy(
      { service: 'web', environment },
      version,
      user,
      { force: true, ...(reason !== undefined ? { emergency: { reason } } : {}) },
    );
    await settle(environment);
    return result;
  };
  const created = async () =>
    (await stores.events.list({ kindPrefix: 'deployment.created', limit: 100 })).map((e) => ({
      environment: e.payload['environment'],
      version: e.payload['version'],
      emergency: e.payload['emergency'] ?? null,
    }));
  return { services, stores, scheduler, settle, push, deploy, created };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerryError);
  const ferry = error as FerryError;
  return {
    code: ferry.code,
    status: ferry.status,
    message: ferry.message,
    reasons: ferry.extra['reasons'] as string[],
  };
}

describe('deployment windows', () => {
  it('refuses a deploy into a frozen environment with 409 naming the window and its end', async () => {
    const w = world();
    await w.push('v1');
    const refused = await refusal(w.deploy('prod', 'v1'));
    expect(refused).toMatchObject({ code: 'environment_frozen', status: 409, reasons: [frozen] });
    expect(refused.message).toBe(
      `${frozen}; --emergency "reason" passes a window (recorded and flagged), never a gate`,
    );
    expect(await w.services.core.deployments.live({ service: 'web', environment: 'prod' })).toBe(
      undefined,
    );
    // Staging is not in the window.
    expect((await w.deploy('staging', 'v1')).noop).toBe(false);
  });

  it('lets --emergency through, flagged on deployment.created with its reason', async () => {
    const w = world();
    await w.push('v1');
    const { deployment } = await w.deploy('prod', 'v1', 'CVE-2026-1234 hotfix');
    expect(deployment.phase).toBe('Progressing');
    expect(await w.created()).toEqual([
      { environment: 'prod', version: 'v1', emergency: { reason: 'CVE-2026-1234 hotfix' } },
    ]);
    const flagged = await w.services.core.deployments.emergencies([deployment.id]);
    expect(flagged.get(deployment.id)).toBe('CVE-2026-1234 hotfix');
  });

  it('lets the deploy through once the window ends, to the millisecond', async () => {
    const w = world();
    await w.push('v1');
    w.scheduler.clock.set(Date.parse('2026-12-07T06:59:59.999Z'));
    expect((await refusal(w.deploy('prod', 'v1'))).reasons).toEqual([frozen]);
    w.scheduler.clock.advance(1);
    expect((await w.deploy('prod', 'v1')).noop).toBe(false);
    expect(await w.created()).toEqual([{ environment: 'prod', version: 'v1', emergency: null }]);
  });

  it('lists the freeze among every reason a promotion cannot go, and on the dry run', async () => {
    const w = world(
      yaml.replace('    autoPromote: true\n', '    soak: 1h\n    require: [tests]\n'),
    );
    await w.push('v1');
    await w.deploy('staging', 'v1');
    const { plan } = await w.services.promotion.promotions.promote('web', 'prod', user, {
      dryRun: true,
    });
    expect(plan.reasons).toEqual([
      frozen,
      expect.stringMatching(/^soak not met: .* of 1h left in staging$/),
      'gate missing: tests passed is required and v1 has no tests report',
    ]);
    const refused = await refusal(w.services.promotion.promotions.promote('web', 'prod', user));
    expect(refused.code).toBe('promotion_blocked');
    expect(refused.reasons[0]).toBe(frozen);
    // An emergency passes the window, never the soak or the gate.
    const emergency = { reason: 'payments down' };
    const still = await refusal(
      w.services.promotion.promotions.promote('web', 'prod', user, { emergency }),
    );
    expect(still.reasons).toEqual([
      expect.stringMatching(/^soak not met/),
      'gate missing: tests passed is required and v1 has no tests report',
    ]);
  });

  it('promotes in an emergency, flagged; auto-promotion waits for the window to end', async () => {
    const w = world();
    await w.push('v1');
    await w.push('v2');
    await w.deploy('staging', 'v1');
    const promoter = w.services.promotion.autoPromoter;
    expect(await promoter.tick()).toEqual([]);
    const { result } = await w.services.promotion.promotions.promote('web', 'prod', user, {
      emergency: { reason: 'payments down' },
    });
    await w.settle('prod');
    expect(result?.deployment.version).toBe('v1');
    await w.deploy('staging', 'v2');
    expect(
      (await w.services.core.deployments.live({ service: 'web', environment: 'staging' }))?.version,
    ).toBe('v2');
    expect(await promoter.tick()).toEqual([]);
    w.scheduler.clock.set(Date.parse('2026-12-07T07:00:00Z'));
    expect(await promoter.tick()).toEqual([{ service: 'web', to: 'prod', version: 'v2' }]);
    expect((await w.created()).filter((c) => c.environment === 'prod')).toEqual([
      { environment: 'prod', version: 'v1', emergency: { reason: 'payments down' } },
      { environment: 'prod', version: 'v2', emergency: null },
    ]);
  });

  it('allows a rollback during a freeze: it undoes risk', async () => {
    const w = world();
    await w.push('v1');
    await w.push('v2');
    await w.deploy('prod', 'v1', 'first');
    await w.deploy('prod', 'v2', 'second');
    const { deployment } = await w.services.core.deployments.rollback(
      { service: 'web', environment: 'prod' },
      undefined,
      user,
    );
    expect(deployment).toMatchObject({ kind: 'rollback', version: 'v1' });
  });

  it('shows the frozen environment in the matrix', async () => {
    const w = world();
    const matrix = await environmentMatrix(
      parseConfig(yaml, 'ferry.yaml'),
      w.services.core.deployments,
      w.services.promotion.promotions,
      w.services.promotion.health,
    );
    const cells = matrix.services[0]?.cells ?? [];
    expect(cells.map((c) => [c.environment, c.windows.map((x) => x.reason)])).toEqual([
      ['staging', []],
      ['prod', [frozen]],
    ]);
  });
});
