import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const cell = {
  environment: 'prod',
  routed: true,
  version: 'v3',
  digest: `sha256:${'ab'.repeat(32)}`,
  since: '2026-03-01T12:00:00.000Z',
  health: 'healthy',
  detail: null,
  rollout: null,
  windows: [],
  onward: [],
  migrations: null,
};

const summary = {
  applied: 2,
  pendingExpand: 0,
  pendingContract: 1,
  readyContract: 0,
  mismatches: 0,
  waiting: 'V3__drop_name.sql: 2 instances of the older v1 still run in prod',
  error: null,
};

describe('ferry env', () => {
  it('shows applied migrations and why a contract waits in a migrations column', async () => {
    api = await startFakeApi(() => ({
      json: {
        environments: ['staging', 'prod'],
        services: [
          {
            service: 'web',
            cells: [
              {
                ...cell,
                environment: 'staging',
                migrations: { ...summary, pendingContract: 1, readyContract: 1, waiting: null },
              },
              { ...cell, migrations: summary },
            ],
          },
          { service: 'api', cells: [{ ...cell, environment: 'prod' }] },
        ],
      },
    }));
    const out = captureIo();
    expect(await main(['env', '--server', api.url], out.io)).toBe(0);
    const lines = out.stdout().split('\n');
    expect(lines[0]).toMatch(/ONWARD\s+MIGRATIONS$/);
    expect(lines[1]).toMatch(/2 applied, 1 contract ready$/);
    expect(lines[2]).toMatch(
      /2 applied, contract waits: V3__drop_name.sql: 2 instances of the older v1 still run in prod$/,
    );
    expect(lines[3]).toMatch(/^api .*-$/);
  });

  it('says when a database cannot be read', async () => {
    api = await startFakeApi(() => ({
      json: {
        environments: ['prod'],
        services: [
          {
            service: 'web',
            cells: [{ ...cell, migrations: { ...summary, error: 'DATABASE_URL is not set' } }],
          },
        ],
      },
    }));
    const out = captureIo();
    expect(await main(['env', '--server', api.url], out.io)).toBe(0);
    expect(out.stdout()).toContain('database: DATABASE_URL is not set');
  });
});
