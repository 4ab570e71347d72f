import { afterEach, describe, expect, it } from 'vitest';
import {
  controllerHarness,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

const url = 'postgres://notes:s3cret@127.0.0.1:5432/notes';
const database = `    database: { url: { env: DATABASE_URL }, migrations: db/migrations, lockTimeout: 1s, lockRetries: 2 }
    overrides: { prod: { env: { DATABASE_URL: "${url}" } } }`;

const canary = `    replicas: 2
${database}
    strategy:
      canary:
        abortScaleDownDelay: 0s
        steps:
          - setWeight: 50
          - pause: { duration: 1m }`;

const rolling = `    replicas: 2
${database}`;

const v1Sql = 'CREATE TABLE notes (id serial PRIMARY KEY, name text);\n';
const v2Sql = 'ALTER TABLE notes ADD COLUMN display_name text;\n';

/** v1 ships V1, v2 adds V2, v3 ships nothing new, `edited` changed V1 after it was applied. */
function files(version: string) {
  const v1 = { path: 'db/migrations/expand/V1__create_notes.sql', body: v1Sql };
  const v2 = { path: 'db/migrations/expand/V2__add_display_name.sql', body: v2Sql };
  if (version === 'edited') return [{ ...v1, body: `${v1Sql}-- reformatted\n` }, v2];
  return version === 'v1' ? [v1] : [v1, v2];
}

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function withV1Live(service: string): Promise<ControllerHarness> {
  h = await controllerHarness({ service, files });
  await deploy(h, 'v1');
  expect(await h.latest()).toMatchObject({ phase: 'Succeeded' });
  return h;
}

/**
 * Waits until the deployment's migration runs have a verdict (reading the artifact is real I/O,
 * which the harness's settling does not wait for), then settles the controller.
 */
async function gateEnded(h: ControllerHarness, deploymentId: string): Promise<void> {
  for (let round = 0; round < 200; round += 1) {
    const runs = await h.world.stores.analysisRuns.listRuns(deploymentId);
    if (runs.length > 0 && runs.every((run) => run.finishedAt !== null)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await h.runUntilSettled();
}

/** Deploys `version` and waits for its expand gate. */
async function deploy(h: ControllerHarness, version: string) {
  const deployment = await h.deploy(version);
  await gateEnded(h, deployment.id);
  return deployment;
}

async function migrationEvents(h: ControllerHarness): Promise<Record<string, unknown>[]> {
  const events = await h.world.stores.events.list({ kindPrefix: 'migration.', limit: 1000 });
  return events.map((e) => ({ kind: e.kind, ...e.payload }));
}

describe('the expand gate before a rollout', () => {
  it('starts nothing of the new version until its expand migrations ran, then rolls out', async () => {
    const h = await withV1Live(canary);
    const v1Instances = (await h.live()).map((i) => i.id);
    const hold = h.world.migrationDatabase.hold();
    const v2 = await h.deploy('v2');
    await hold.reached;
    await h.advance(5_000);

    expect(await h.latest()).toMatchObject({ id: v2.id, phase: 'Progressing' });
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
    expect((await h.live()).map((i) => i.id)).toEqual(v1Instances);

    hold.release();
    await gateEnded(h, v2.id);
    expect(h.split()).toEqual({ v1: 50, v2: 50 });
    expect(h.world.migrationDatabase.history.map((m) => [m.version, m.deploymentId])).toEqual([
      ['1', expect.any(String)],
      ['2', v2.id],
    ]);
    // Rehearsed on a clone first, with the service's timeouts, for this deployment.
    expect(h.world.migrationDatabase.applies.at(-1)).toMatchObject({
      deploymentId: v2.id,
      rehearse: true,
      lockTimeoutMs: 1000,
      statementTimeoutMs: 300_000,
      lockRetries: 2,
    });
    expect(h.world.migrationDatabase.opened.at(-1)).toBe(url);
    // The rollout then goes on as any canary.
    await h.advance(61_000);
    expect(await h.latest()).toMatchObject({ phase: 'Succeeded' });
    expect(h.split()).toEqual({ v2: 100 });

    const events = await migrationEvents(h);
    expect(events.filter((e) => e.deployment === v2.id)).toEqual([
      expect.objectContaining({
        kind: 'migration.started',
        service: 'web',
        environment: 'prod',
        version: 'v2',
        migration: '2',
        file: 'expand/V2__add_display_name.sql',
      }),
      expect.objectContaining({ kind: 'migration.finished', migration: '2', durationMs: 0 }),
    ]);
    const everything = JSON.stringify(await h.world.stores.events.list({ limit: 10_000 }));
    expect(everything).not.toContain('s3cret');
    // The spec keeps the variable's name only (the service's env is the instances' own).
    expect(JSON.stringify((await h.latest()).spec.database)).not.toContain('postgres:');
  });

  it('a canary whose migration cannot take its lock aborts with the blocking query, v1 untouched', async () => {
    const h = await withV1Live(canary);
    const v1Instances = (await h.live()).map((i) => i.id);
    h.world.migrationDatabase.failures.set('2', {
      code: 'lock_timeout',
      reason: 'V2__add_display_name.sql: lock timeout after 3 attempts on table notes',
      blockedBy: { pid: 4242, query: 'LOCK TABLE notes IN ACCESS EXCLUSIVE MODE', lock: null },
    });
    await deploy(h, 'v2');

    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toBe(
      'expand migrations failed, the previous version keeps serving: V2__add_display_name.sql: ' +
        'lock timeout after 3 attempts on table notes (blocked by pid 4242: LOCK TABLE notes IN ACCESS EXCLUSIVE MODE)',
    );
    expect(aborted.cause).toMatchObject({ abort: { kind: 'migrationFailed', gate: 'migrations' } });
    expect(h.world.runtime.list().map((s) => s.spec.version)).toEqual(['v1', 'v1']);
    expect((await h.live()).map((i) => i.id)).toEqual(v1Instances);
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.world.migrationDatabase.history.map((m) => m.version)).toEqual(['1']);
    expect((await migrationEvents(h)).at(-1)).toMatchObject({
      kind: 'migration.failed',
      version: 'v2',
      file: 'expand/V2__add_display_name.sql',
      stage: 'target',
      code: 'lock_timeout',
      blockedBy: { pid: 4242 },
    });
  });

  it('a rolling update whose rehearsal fails ends RolledBack on what already ran', async () => {
    const h = await withV1Live(rolling);
    const v1Instances = (await h.live()).map((i) => i.id);
    h.world.migrationDatabase.failures.set('2', {
      code: 'sql_error',
      reason: 'V2__add_display_name.sql: column "display_name" of relation "notes" already exists',
      stage: 'rehearsal',
    });
    await deploy(h, 'v2');
    expect(await h.latest()).toMatchObject({
      phase: 'RolledBack',
      reason: expect.stringContaining('on the schema-only rehearsal: V2__add_display_name.sql'),
    });
    expect((await h.live()).map((i) => i.id)).toEqual(v1Instances);
    expect(h.world.runtime.list().map((s) => s.spec.version)).toEqual(['v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('refuses a release whose already-applied migration changed, showing both checksums', async () => {
    const h = await withV1Live(canary);
    const applied = h.world.migrationDatabase.history[0]!.checksum;
    await deploy(h, 'edited');
    const refused = await h.latest();
    expect(refused.phase).toBe('Aborted');
    expect(refused.reason).toContain(
      `V1__create_notes.sql: applied with checksum ${applied}, the file now has sha256:`,
    );
    expect(refused.reason).not.toContain(`now has ${applied}`);
    expect(h.world.migrationDatabase.applies).toHaveLength(1);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('a first deployment whose database URL is set nowhere fails naming the variable', async () => {
    h = await controllerHarness({
      service: '    database: { url: { env: FERRY_TEST_UNSET_DB_URL } }',
      files,
    });
    const v1 = await h.deploy('v1');
    await gateEnded(h, v1.id);
    expect(await h.latest()).toMatchObject({
      phase: 'Failed',
      reason: expect.stringContaining(
        'the variable FERRY_TEST_UNSET_DB_URL is set neither in the env of service web for prod',
      ),
    });
    expect(h.world.runtime.list()).toEqual([]);
    expect(h.world.migrationDatabase.opened).toEqual([]);
  });

  it('runs no gate for a service without a database, and passes at once when nothing is pending', async () => {
    h = await controllerHarness({ service: '    replicas: 2', files });
    const plain = await h.deploy('v1');
    expect(await h.latest()).toMatchObject({ id: plain.id, phase: 'Succeeded' });
    expect(await h.world.stores.analysisRuns.listRuns(plain.id)).toEqual([]);
    await h.dispose();

    const h2 = await withV1Live(canary);
    h = h2;
    const v2 = await deploy(h2, 'v2');
    await h2.advance(61_000);
    const again = await deploy(h2, 'v3');
    await h2.advance(61_000);
    expect(await h2.latest()).toMatchObject({ id: again.id, phase: 'Succeeded' });
    expect(await h2.world.stores.analysisRuns.listRuns(again.id)).toEqual([
      expect.objectContaining({
        name: 'migrations',
        phase: 'Successful',
        message: 'no pending expand migrations',
      }),
    ]);
    expect((await migrationEvents(h2)).map((e) => e.deployment)).not.toContain(again.id);
    expect(h2.world.migrationDatabase.history.map((m) => [m.version, m.deploymentId])).toEqual([
      ['1', expect.any(String)],
      ['2', v2.id],
    ]);
  });

  it('a server killed while the gate runs starts it again and the rollout goes on', async () => {
    const h = await withV1Live(canary);
    const hold = h.world.migrationDatabase.hold();
    const v2 = await h.deploy('v2');
    await hold.reached;
    // The killed server's statement never commits: its hold is never released.
    h.world.clock.advance(1_000);
    await h.restart();
    await h.runUntilSettled();
    await gateEnded(h, v2.id);

    expect(h.split()).toEqual({ v1: 50, v2: 50 });
    expect(h.world.migrationDatabase.history.map((m) => [m.version, m.deploymentId])).toEqual([
      ['1', expect.any(String)],
      ['2', v2.id],
    ]);
    const runs = await h.world.stores.analysisRuns.listRuns(v2.id);
    expect(runs.map((r) => [r.name, r.phase, r.message?.split(':')[0]])).toEqual([
      ['migrations', 'Running', 'interrupted'],
      ['migrations', 'Successful', 'applied V2 (expand/V2__add_display_name.sql)'],
    ]);
  });
});
