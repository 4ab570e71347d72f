import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import {
  deployHello,
  eventually,
  uploadArtifact,
  waitForFinal,
  type DeploymentBody,
} from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';

/** What a tampered release would run instead of the artifact. */
const owned = `require('node:http').createServer((q, s) => s.end('{"version":"owned"}')).listen(process.env.PORT)\n`;

interface InstanceBody {
  readonly id: string;
  readonly version: string;
  readonly pid: number | null;
}

interface ArtifactBody {
  readonly version: string;
  readonly digest: string;
}

describe('artifacts are checked against their digest when they are used', () => {
  let server: FerryServer;
  let routePort: number;
  const digests = new Map<string, string>();

  const blobOf = (version: string) =>
    join(server.dataDir, 'artifacts', 'sha256', `${digests.get(version)!.slice(7)}.tar.gz`);
  const releaseOf = (version: string) =>
    join(server.dataDir, 'releases', 'hello', 'prod', digests.get(version)!.slice(7, 23));
  const deploy = (version: string) =>
    server.send('POST', '/api/v1/deployments', { service: 'hello', environment: 'prod', version });
  const rollback = (toVersion: string | undefined) =>
    server.send('POST', '/api/v1/rollbacks', {
      service: 'hello',
      environment: 'prod',
      ...(toVersion ? { toVersion } : {}),
    });
  async function liveVersion(): Promise<string> {
    const res = await request(`http://127.0.0.1:${routePort}/info`);
    return ((await res.body.json()) as { version: string }).version;
  }

  beforeAll(async () => {
    routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1 }));
    await server.start();
    for (const version of ['v1', 'v2']) {
      expect(await deployHello(server, { version })).toMatchObject({ phase: 'Succeeded' });
    }
    await uploadArtifact(server, 'hello', 'v3', helloVersion({ version: 'v3' }));
    const { artifacts } = await server.get<{ artifacts: ArtifactBody[] }>(
      '/api/v1/artifacts/hello',
    );
    for (const a of artifacts) digests.set(a.version, a.digest);
  });
  afterAll(() => server.destroy());

  it('refuses a deploy or rollback whose blob is missing with 409 artifact_missing', async () => {
    const saved = readFileSync(blobOf('v3'));
    rmSync(blobOf('v3'));
    for (const answer of [await deploy('v3'), await rollback('v3')]) {
      expect(answer.status).toBe(409);
      expect(answer.body['error']).toMatchObject({
        code: 'artifact_missing',
        digest: digests.get('v3'),
      });
      expect(JSON.stringify(answer.body)).toContain(digests.get('v3'));
    }
    // Uploading the same bytes again restores it.
    const res = await request(`${server.url}/api/v1/artifacts/hello/v3`, {
      method: 'PUT',
      headers: { 'content-type': 'application/gzip' },
      body: saved,
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(readFileSync(blobOf('v3'))).toEqual(saved);
  });

  it('refuses a tampered blob at deploy and at rollback, naming the digest', async () => {
    for (const version of ['v3', 'v1']) {
      const blob = blobOf(version);
      const saved = readFileSync(blob);
      writeFileSync(blob, Buffer.concat([saved.subarray(0, saved.length - 8), Buffer.alloc(8)]));
      const answers = [await deploy(version), await rollback(version)];
      // v1 is also what a plain rollback from v2 goes back to.
      if (version === 'v1') answers.push(await rollback(undefined));
      for (const answer of answers) {
        expect(answer.status).toBe(409);
        expect(answer.body['error']).toMatchObject({
          code: 'artifact_corrupt',
          digest: digests.get(version),
        });
        expect((answer.body['error'] as { message: string }).message).toContain(
          `artifact ${digests.get(version)} was changed after upload`,
        );
      }
      writeFileSync(blob, saved);
    }
    expect(await liveVersion()).toBe('v2');
  });

  it('refuses a tampered release at deploy and at rollback, naming the digest', async () => {
    const release = releaseOf('v1');
    expect(existsSync(join(release, 'server.js')), 'v1 is unpacked beside v2').toBe(true);
    const saved = readFileSync(join(release, 'server.js'));
    writeFileSync(join(release, 'server.js'), owned);
    const digest = digests.get('v1')!;
    for (const answer of [await deploy('v1'), await rollback('v1'), await rollback(undefined)]) {
      expect(answer.status).toBe(409);
      expect(answer.body['error']).toMatchObject({ code: 'artifact_corrupt', digest });
      const { message } = answer.body['error'] as { message: string };
      expect(message).toContain(`release of artifact ${digest}`);
      expect(message).toContain('(changed server.js)');
    }
    expect(await liveVersion()).toBe('v2');
    writeFileSync(join(release, 'server.js'), saved);
    const back = await rollback(undefined);
    expect(back.status).toBe(201);
    const final = await waitForFinal(server, (back.body['deployment'] as DeploymentBody).id);
    expect(final.phase).toBe('Succeeded');
    expect(await liveVersion()).toBe('v1');
  });

  it('does not restart a crashed instance from a release changed under it', async () => {
    const { instances } = await server.get<{ instances: InstanceBody[] }>(
      '/api/v1/instances?service=hello&environment=prod',
    );
    const live = instances.find((i) => i.version === 'v1' && i.pid !== null);
    expect(live, 'v1 runs').toBeDefined();
    writeFileSync(join(releaseOf('v1'), 'server.js'), owned);
    process.kill(-live!.pid!, 'SIGKILL');
    const digest = digests.get('v1')!;
    const line = await eventually(async () => {
      const { lines } = await server.get<{ lines: string[] }>(
        `/api/v1/instances/${live!.id}/logs?lines=50`,
      );
      return lines.find((l) => l.includes('restart failed'));
    });
    expect(line).toContain(`release of artifact ${digest}`);
    expect(line).toContain('(changed server.js)');
    // What answers is never the changed code.
    const res = await request(`http://127.0.0.1:${routePort}/info`);
    expect(await res.body.text()).not.toContain('owned');
  });
});
