import { afterEach, describe, expect, it } from 'vitest';
import type { MigrationStatusView } from '../../../features/migrations/migration-schemas.js';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function ferry(...args: string[]) {
  const out = captureIo();
  const code = await main([...args, ...(api ? ['--server', api.url] : [])], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

const applied = (version: string, phase: 'expand' | 'contract' = 'expand') => ({
  version,
  description: `change ${version}`,
  phase,
  checksum: `sha256:${version.repeat(64).slice(0, 64)}`,
  appliedAt: '2026-03-01T12:00:00.000Z',
  deploymentId: phase === 'expand' ? 'dep-1' : null,
  durationMs: 12,
});

const file = (version: string, description: string, phase: 'expand' | 'contract') => ({
  version,
  description,
  phase,
  path: `V${version}__${description.replaceAll(' ', '_')}.sql`,
  checksum: `sha256:${'c'.repeat(64)}`,
});

const waiting: MigrationStatusView = {
  service: 'web',
  environment: 'prod',
  artifact: { version: 'v3', digest: `sha256:${'3'.repeat(64)}` },
  applied: [applied('1'), applied('2')],
  pendingExpand: [],
  pendingContract: [
    {
      file: file('3', 'drop name', 'contract'),
      shippedIn: { version: 'v3', digest: `sha256:${'3'.repeat(64)}` },
      ready: false,
      waits: [
        { kind: 'older-running', version: 'v1', instances: 2 },
        {
          kind: 'window',
          version: 'v3',
          liveSince: '2026-03-01T12:00:00.000Z',
          until: '2026-03-01T13:00:00.000Z',
          waitMs: 3_600_000,
        },
      ],
      reasons: [
        '2 instances of the older v1 still run in prod (a drain or a kept blue-green stack)',
        'v3 went live in prod at 2026-03-01T12:00:00.000Z; its rollback window and soak (1h) last until 2026-03-01T13:00:00.000Z',
      ],
    },
  ],
  mismatches: [],
  unknownApplied: [],
  error: null,
};

describe('ferry migrations status', () => {
  it('asks for one environment and service, and prints what is applied and why contract waits', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/migrations' ? { json: { migrations: [waiting] } } : undefined,
    );
    const run = await ferry('migrations', 'status', '--env', 'prod', '--service', 'web');
    expect(run.code).toBe(0);
    expect(api.requests[0]?.query.toString()).toBe('environment=prod&service=web');
    expect(run.stdout).toBe(
      [
        'web in prod (v3)',
        '  applied: 1, 2',
        '  pending contract: V3__drop_name.sql waits:',
        '    - 2 instances of the older v1 still run in prod (a drain or a kept blue-green stack)',
        '    - v3 went live in prod at 2026-03-01T12:00:00.000Z; its rollback window and soak (1h) last until 2026-03-01T13:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('asks for every environment without --env and fails on a checksum mismatch or an unreadable database', async () => {
    const mismatched = {
      ...waiting,
      pendingContract: [{ ...waiting.pendingContract[0]!, ready: true, waits: [], reasons: [] }],
      mismatches: [
        { version: '2', path: 'V2__add_email.sql', applied: 'sha256:aaa', file: 'sha256:bbb' },
      ],
    };
    const down = { ...waiting, environment: 'staging', error: 'DATABASE_URL is not set' };
    api = await startFakeApi(() => ({ json: { migrations: [down, mismatched] } }));
    const run = await ferry('migrations', 'status');
    expect(run.code).toBe(1);
    expect(api.requests[0]?.query.toString()).toBe('');
    expect(run.stdout).toContain('web in staging (v3)\n  database: DATABASE_URL is not set\n\n');
    expect(run.stdout).toContain(
      '  pending contract: V3__drop_name.sql ready: ferry migrations contract web --env prod\n' +
        '  checksum mismatch: V2__add_email.sql was applied as sha256:aaa, the file is now sha256:bbb\n',
    );
  });

  it('prints only JSON with --json', async () => {
    api = await startFakeApi(() => ({ json: { migrations: [waiting] } }));
    const run = await ferry('migrations', 'status', '--env', 'prod', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ migrations: [waiting] });
  });
});

describe('ferry migrations contract', () => {
  it('asks the server to contract and says what ran and what still waits', async () => {
    const result = {
      service: 'web',
      environment: 'prod',
      applied: [applied('3', 'contract')],
      waiting: [{ ...waiting.pendingContract[0]!, file: file('4', 'drop phone', 'contract') }],
      noop: false,
    };
    api = await startFakeApi((r) =>
      r.method === 'POST' && r.path === '/api/v1/migrations/contract'
        ? { json: result }
        : undefined,
    );
    const run = await ferry('migrations', 'contract', 'web', '--env', 'prod');
    expect(run.code).toBe(0);
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      service: 'web',
      environment: 'prod',
    });
    expect(run.stderr).toContain('applied 3 change 3 (contract) to web in prod in 12 ms\n');
    expect(run.stderr).toContain('V4__drop_phone.sql still waits: 2 instances of the older v1');
    expect(run.stdout).toBe('');
    const json = await ferry('migrations', 'contract', 'web', '--env', 'prod', '--json');
    expect(JSON.parse(json.stdout)).toEqual(result);
  });

  it('exits 1 with the reasons when the server says it waits', async () => {
    api = await startFakeApi(() => ({
      status: 409,
      json: {
        error: {
          code: 'contract_waiting',
          message:
            'V3__drop_name.sql of web waits in prod: v3 is not live in prod: the older v1 is',
          waiting: [],
        },
      },
    }));
    const run = await ferry('migrations', 'contract', 'web', '--env', 'prod');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('V3__drop_name.sql of web waits in prod: v3 is not live in prod');
  });

  it('is a usage error without --env or with an unknown action', async () => {
    expect((await ferry('migrations', 'contract', 'web')).code).toBe(2);
    const unknown = await ferry('migrations', 'shrink');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown migrations action "shrink"; expected lint, status, contract',
    );
  });
});
