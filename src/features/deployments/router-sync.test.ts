import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.js';
import { freePort } from '../../demo/free-port.js';
import { openSqlite } from '../../store/open-sqlite.js';
import type { Database } from '../../store/schema.js';
import { Router } from '../../traffic/router/router.js';
import { echoRequest, json, send } from '../../traffic/router/test-upstreams.js';
import type {
  InstanceRecord,
  InstanceRuntime,
  InstanceSpec,
  InstanceStatus,
} from '../instances/instance-runtime.js';
import { KyselyInstanceStore } from '../instances/kysely-instance-store.js';
import { KyselyDeploymentStore } from './kysely-deployment-store.js';
import { KyselyStopStore } from './kysely-stop-store.js';
import { RouterSync } from './router-sync.js';

/**
 * A runtime that runs nothing and reports one ready instance at the address it is given: the
 * router must reach that instance wherever the runtime says it is.
 */
function runtimeReporting(status: InstanceStatus): InstanceRuntime {
  const unused = () => Promise.reject(new Error('not used by the router sync'));
  return {
    start: unused,
    stop: unused,
    adopt: unused,
    get: (id) => (id === status.spec.instanceId ? status : undefined),
    list: () => [status],
    onEvent: () => () => undefined,
    logs: unused,
    detach: async () => undefined,
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTP server answering with its id, on `host` only. */
async function upstreamOn(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer(echoRequest('on-reported-host'));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port };
}

async function freshStore(): Promise<Kysely<Database>> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-router-sync-'));
  const db = await openSqlite(join(dir, 'ferry.db'));
  cleanups.push(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

describe('RouterSync', () => {
  it('routes to the host and port the runtime reports for an instance, not to a fixed loopback', async () => {
    // 127.0.0.2 is loopback too, but a server bound there is not reachable at 127.0.0.1.
    const host = '127.0.0.2';
    const { port } = await upstreamOn(host);
    const routePort = await freePort();
    const config = parseConfig(
      `apiVersion: ferry.dev/v1
environments: [{ name: prod }]
services:
  web:
    runtime: { local: { command: node server.js } }
    routes: { prod: 127.0.0.1:${routePort} }
`,
      'ferry.yaml',
    );
    const spec = config.services['web']!;
    const db = await freshStore();
    const deployments = new KyselyDeploymentStore(db);
    const instances = new KyselyInstanceStore(db);
    const at = new Date(0).toISOString();
    await deployments.commit({
      insert: {
        id: 'dep-1',
        service: 'web',
        environment: 'prod',
        kind: 'deploy',
        artifactDigest: 'sha256:aa',
        version: '1.0.0',
        phase: 'Succeeded',
        reason: null,
        previousId: null,
        spec,
        actor: 'test',
        createdAt: at,
        updatedAt: at,
        lastProgressAt: at,
        finishedAt: at,
        rollout: null,
      },
      events: [],
    });
    const instanceSpec = { instanceId: 'web-1', service: 'web', environment: 'prod' };
    const record: InstanceRecord = { instanceId: 'web-1', host, port, handle: { kind: 'test' } };
    await instances.insert({
      id: 'web-1',
      deploymentId: 'dep-1',
      service: 'web',
      environment: 'prod',
      version: '1.0.0',
      artifactDigest: 'sha256:aa',
      intent: 'running',
      record,
      restarts: 0,
      spec: instanceSpec as InstanceSpec,
      createdAt: at,
      updatedAt: at,
    });
    const router = new Router();
    cleanups.push(() => router.close());
    const sync = new RouterSync({
      deployments,
      instances,
      stops: new KyselyStopStore(db),
      router,
      runtime: runtimeReporting({
        spec: instanceSpec as InstanceSpec,
        record,
        phase: 'ready',
        restarts: 0,
        startedAt: 0,
      }),
    });

    await sync.sync({ service: 'web', environment: 'prod' });

    const response = await send(routePort, { path: '/hello' });
    expect(response.status).toBe(200);
    expect(json<{ id: string; url: string }>(response)).toMatchObject({
      id: 'on-reported-host',
      url: '/hello',
    });
    // The address is kept with the instance, so a restarted server routes there too.
    expect((await instances.get('web-1'))?.record).toEqual(record);
  });
});
