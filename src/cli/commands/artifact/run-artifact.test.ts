import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { artifactFixture, serviceFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const v1 = artifactFixture({ version: 'v1', digest: `sha256:${'cd'.repeat(32)}` });
const v2 = artifactFixture();

async function artifactApi() {
  api = await startFakeApi((r) => {
    if (r.path === '/api/v1/artifacts/web') return { json: { artifacts: [v2, v1] } };
    if (r.path === '/api/v1/services/web') {
      const status = serviceFixture();
      const live = { ...status.environments[0]!.live!, artifactDigest: v1.digest };
      return { json: { ...status, environments: [{ ...status.environments[0]!, live }] } };
    }
    return undefined;
  });
  return api;
}

describe('ferry artifact', () => {
  it('lists the versions of a service, newest first, with where each is live', async () => {
    const { url } = await artifactApi();
    const out = captureIo();
    expect(await main(['artifact', 'list', 'web', '--server', url], out.io)).toBe(0);
    const lines = out.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION +DIGEST +SIZE +COMMIT +CREATED +LIVE IN$/);
    expect(lines[1]).toMatch(/^v2 +abababababab +2\.0 KiB /);
    expect(lines[2]).toMatch(/^v1 +cdcdcdcdcdcd +2\.0 KiB .* prod$/);
  });

  it('shows one version, and names the uploaded ones when it is unknown', async () => {
    const { url } = await artifactApi();
    const out = captureIo();
    expect(await main(['artifact', 'show', 'web', 'v1', '--json', '--server', url], out.io)).toBe(
      0,
    );
    expect(JSON.parse(out.stdout())).toEqual({ ...v1, liveIn: ['prod'] });

    const missing = captureIo();
    expect(await main(['artifact', 'show', 'web', 'v9', '--server', url], missing.io)).toBe(1);
    expect(missing.stderr()).toBe('error: no artifact web v9; uploaded versions: v2, v1\n');
  });

  it('exits 2 for an unknown action', async () => {
    const out = captureIo();
    expect(await main(['artifact', 'remove', 'web'], out.io)).toBe(2);
    expect(out.stderr()).toBe('error: unknown artifact action "remove"; expected list or show\n');
  });
});
