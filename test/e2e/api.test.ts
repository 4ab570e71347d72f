import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startDeploy, uploadArtifact, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { helloConfig } from '../../src/demo/hello-config.js';

describe('HTTP API', () => {
  let server: FerryServer;
  beforeAll(async () => {
    server = await FerryServer.create(helloConfig({ routePort: await freePort(), replicas: 1 }));
    await server.start();
  });
  afterAll(() => server.destroy());

  it('answers a malformed body with 400 naming the field', async () => {
    const res = await server.send('POST', '/api/v1/deployments', {
      service: 'hello',
      environment: 'prod',
      version: 42,
    });
    expect(res.status).toBe(400);
    const error = res.body['error'] as { code: string; details: { path: string }[] };
    expect(error.code).toBe('invalid_request');
    expect(error.details.map((d) => d.path)).toContain('body.version');
  });

  it('answers an unknown field with 400', async () => {
    const res = await server.send('POST', '/api/v1/deployments', {
      service: 'hello',
      environment: 'prod',
      version: 'v1',
      replicas: 3,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('replicas');
  });

  it('answers an unknown service with 404', async () => {
    const res = await server.send('POST', '/api/v1/deployments', {
      service: 'nope',
      environment: 'prod',
      version: 'v1',
    });
    expect(res.status).toBe(404);
    expect(res.body['error']).toMatchObject({ code: 'not_found', kind: 'service', name: 'nope' });
    const get = await request(`${server.url}/api/v1/services/nope`);
    expect(get.statusCode).toBe(404);
    await get.body.dump();
  });

  it('refuses a second deploy mid-rollout with 409 and the id of the one in progress, and makes redeploying the live artifact a no-op', async () => {
    const v1 = await startDeploy(server, 'hello', 'prod', 'v1', helloVersion({ version: 'v1' }));
    await waitForFinal(server, v1.id);

    const slow = helloVersion({ version: 'v2', startDelayMs: 1500 });
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', slow);
    await uploadArtifact(server, 'hello', 'v3', helloVersion({ version: 'v3' }));
    const clash = await server.send('POST', '/api/v1/deployments', {
      service: 'hello',
      environment: 'prod',
      version: 'v3',
    });
    expect(clash.status).toBe(409);
    expect(clash.body['error']).toMatchObject({
      code: 'deployment_in_progress',
      deploymentId: v2.id,
    });
    await waitForFinal(server, v2.id);

    const again = await server.send('POST', '/api/v1/deployments', {
      service: 'hello',
      environment: 'prod',
      version: 'v2',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ noop: true, deployment: { id: v2.id } });
    const history = await server.get<{ deployments: unknown[] }>(
      '/api/v1/deployments?service=hello&environment=prod',
    );
    expect(history.deployments).toHaveLength(2);
  });

  it('refuses to re-point a version label at other bytes', async () => {
    await uploadArtifact(server, 'hello', 'v9', helloVersion({ version: 'v9' }));
    await expect(
      uploadArtifact(server, 'hello', 'v9', helloVersion({ version: 'v9-other' })),
    ).rejects.toThrow(/409.*version_immutable/);
  });

  it('streams events as they happen and resumes after Last-Event-ID', async () => {
    const controller = new AbortController();
    const res = await request(`${server.url}/api/v1/events/stream?kind=deployment.`, {
      signal: controller.signal,
    });
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    const v5 = await startDeploy(server, 'hello', 'prod', 'v5', helloVersion({ version: 'v5' }));
    let text = '';
    for await (const chunk of res.body) {
      text += chunk.toString();
      if (text.includes('event: deployment.succeeded')) break;
    }
    controller.abort();
    expect(text).toContain('event: deployment.created');
    expect(text).toContain(`"subject":"deployment/${v5.id}"`);

    const firstId = Number(/id: (\d+)/.exec(text)![1]);
    const resumed = new AbortController();
    const again = await request(`${server.url}/api/v1/events/stream?kind=deployment.`, {
      signal: resumed.signal,
      headers: { 'last-event-id': String(firstId) },
    });
    let replay = '';
    for await (const chunk of again.body) {
      replay += chunk.toString();
      if (replay.includes('event: deployment.succeeded')) break;
    }
    resumed.abort();
    expect(replay).not.toContain(`id: ${firstId}\n`);
    expect(replay).toContain('event: deployment.succeeded');
  });

  it('publishes an OpenAPI document', async () => {
    const doc = await server.get<{ openapi: string; paths: Record<string, unknown> }>(
      '/openapi.json',
    );
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/deployments',
        '/api/v1/rollbacks',
        '/api/v1/events',
        '/api/v1/services/{name}/stop',
        '/api/v1/services/{name}/start',
      ]),
    );
  });
});
