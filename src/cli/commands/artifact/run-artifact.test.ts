import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArtifactView, Collection } from '../../api-types.js';
import { main } from '../../main.js';
import { artifactFixture } from '../../test-api-fixtures.js';
import {
  captureIo,
  startFakeApi,
  type FakeApi,
  type RecordedRequest,
} from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const v1: ArtifactView = {
  ...artifactFixture({ version: 'v1', digest: `sha256:${'cd'.repeat(32)}`, branch: 'main' }),
  liveIn: ['prod'],
  environments: [
    {
      environment: 'staging',
      live: false,
      latest: {
        id: 'dep_2',
        environment: 'staging',
        kind: 'deploy',
        phase: 'RolledBack',
        reason: 'errors above 5%',
        createdAt: '2025-01-02T05:00:00.000Z',
        finishedAt: '2025-01-02T05:01:00.000Z',
      },
    },
    {
      environment: 'prod',
      live: true,
      latest: {
        id: 'dep_1',
        environment: 'prod',
        kind: 'deploy',
        phase: 'Succeeded',
        reason: null,
        createdAt: '2025-01-02T04:00:00.000Z',
        finishedAt: '2025-01-02T04:01:00.000Z',
      },
    },
  ],
  deployments: [],
  gates: [
    {
      id: 'g2',
      service: 'web',
      version: 'v1',
      digest: `sha256:${'cd'.repeat(32)}`,
      name: 'coverage',
      status: 'passed',
      values: { coverage: 83.2 },
      url: null,
      reporter: 'ci',
      reportedAt: '2025-01-02T03:30:00.000Z',
    },
  ],
};
const shown: ArtifactView = {
  ...v1,
  meta: { pr: '42' },
  deployments: [v1.environments[0]!.latest, v1.environments[1]!.latest],
};
const v2: ArtifactView = {
  ...artifactFixture(),
  liveIn: [],
  environments: [],
  deployments: [],
  gates: null,
};

async function artifactApi(seen: RecordedRequest[] = []) {
  api = await startFakeApi((r) => {
    seen.push(r);
    if (r.path === '/api/v1/artifacts/web') return { json: { artifacts: [v2, v1] } };
    if (r.path === '/api/v1/artifacts/web/v1') return { json: shown };
    if (r.path === '/api/v1/artifacts/web/v9') {
      return { status: 404, json: { error: { code: 'not_found', message: 'no artifact web v9' } } };
    }
    if (r.path === '/api/v1/artifacts/gc') {
      const collection: Collection = {
        dryRun: true,
        artifacts: [
          {
            ...v1,
            action: 'keep',
            reasons: [{ kind: 'live', environment: 'prod' }],
            blobRemoved: false,
          },
          { ...v2, version: 'v0', action: 'delete', reasons: [], blobRemoved: true },
        ],
        releasesRemoved: [],
      };
      return { json: collection };
    }
    return undefined;
  });
  return api;
}

describe('ferry artifact', () => {
  it('lists the versions of a service, newest first, with where each ran and its gates', async () => {
    const { url } = await artifactApi();
    const out = captureIo();
    expect(await main(['artifact', 'list', 'web', '--server', url], out.io)).toBe(0);
    const lines = out.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION +DIGEST +SIZE +COMMIT +BRANCH +CREATED +RAN IN +GATES$/);
    expect(lines[1]).toMatch(/^v2 +abababababab +2\.0 KiB +- +- +\S+ +- +-$/);
    expect(lines[2]).toMatch(
      /^v1 +cdcdcdcdcdcd +2\.0 KiB +- +main +\S+ +staging RolledBack, prod live +coverage passed$/,
    );
  });

  it('shows one version with its gates and deployments; --json gives the view', async () => {
    const { url } = await artifactApi();
    const json = captureIo();
    expect(await main(['artifact', 'show', 'web', 'v1', '--json', '--server', url], json.io)).toBe(
      0,
    );
    expect(JSON.parse(json.stdout())).toEqual(shown);

    const out = captureIo();
    expect(await main(['artifact', 'show', 'web', 'v1', '--server', url], out.io)).toBe(0);
    const text = out.stdout();
    expect(text).toContain('branch:   main\nbuild:    -\nmeta:     pr=42\n');
    expect(text).toContain('live in:  prod\n');
    expect(text).toMatch(/\ngates:\n {2}GATE .*\n {2}coverage +passed +coverage=83\.2 +ci +\S+\n/);
    expect(text).toMatch(
      /\n {2}staging +RolledBack +deploy +\S+ +dep_2 +-\n {2}prod +Succeeded +deploy +\S+ +dep_1 +live\n$/,
    );
  });

  it('says how to push a version that is not there', async () => {
    const { url } = await artifactApi();
    const missing = captureIo();
    expect(await main(['artifact', 'show', 'web', 'v9', '--server', url], missing.io)).toBe(1);
    expect(missing.stderr()).toBe('error: no artifact web v9\n');
  });

  it('pushes a .tar.gz as it is, with its metadata in headers', async () => {
    const seen: RecordedRequest[] = [];
    api = await startFakeApi((r) => {
      seen.push(r);
      return { status: 201, json: artifactFixture({ version: 'v3' }) };
    });
    const file = join(mkdtempSync(join(tmpdir(), 'ferry-push-')), 'app.tar.gz');
    writeFileSync(file, 'not really gzip');
    const out = captureIo();
    const args = ['artifact', 'push', 'web', file, '--version', 'v3', '--meta', 'pr=42'];
    expect(await main([...args, '--branch', 'main', '--server', api.url], out.io)).toBe(0);
    expect(out.stdout()).toBe(`pushed web v3 sha256:${'ab'.repeat(32)} (2.0 KiB)\n`);
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      path: '/api/v1/artifacts/web/v3',
      headers: { 'x-ferry-branch': 'main', 'x-ferry-meta': '{"pr":"42"}' },
    });
  });

  it('refuses a bad --meta, a missing --version and a file that is not a .tar.gz (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['push', 'web', '.', '--version', 'v1', '--meta', 'pr'], 'expected key=value.'],
      [['push', 'web', '.'], 'error: artifact push needs --version <label>\n'],
      [
        ['push', 'web', 'package.json', '--version', 'v1'],
        'error: "package.json" is not a folder or a .tar.gz file\n',
      ],
      [['gc', 'web'], 'error: artifact gc takes no <service>; use --service <name>\n'],
      [
        ['remove', 'web'],
        'error: unknown artifact action "remove"; expected list, show, push or gc\n',
      ],
    ];
    for (const [args, message] of cases) {
      const out = captureIo();
      expect(await main(['artifact', ...args], out.io), args.join(' ')).toBe(2);
      expect(out.stderr()).toContain(message);
    }
  });

  it('gc --dry-run shows what goes and why the rest stays', async () => {
    const seen: RecordedRequest[] = [];
    const { url } = await artifactApi(seen);
    const out = captureIo();
    expect(await main(['artifact', 'gc', '--dry-run', '--server', url], out.io)).toBe(0);
    expect(JSON.parse(String(seen.at(-1)?.body))).toEqual({ dryRun: true });
    expect(out.stdout()).toMatch(/\nweb +v1 +cdcdcdcdcdcd +2\.0 KiB +keep +live in prod\n/);
    expect(out.stdout()).toMatch(
      /\nweb +v0 +abababababab +2\.0 KiB +would delete +beyond retention; blob removed\n/,
    );
    expect(out.stderr()).toBe(
      'dry run: 1 of 2 artifacts would be deleted (2.0 KiB); nothing changed\n',
    );
  });
});
