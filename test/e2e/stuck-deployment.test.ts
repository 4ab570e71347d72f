import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import {
  deployHello,
  eventually,
  startDeploy,
  uploadArtifact,
  waitForFinal,
  type DeploymentBody,
} from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { act, waitForPhase } from '../support/rollout.js';

interface EventBody {
  kind: string;
  payload: Record<string, unknown>;
}

/** Another program listening on a port: what a route finds there when it starts. */
async function holdPort(): Promise<{ process: ChildProcess; port: number }> {
  const script =
    "require('net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port) })";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  return { process: child, port };
}

describe('a deployment whose route cannot listen', () => {
  let server: FerryServer | undefined;
  let holder: ChildProcess | undefined;
  afterEach(async () => {
    holder?.kill('SIGKILL');
    await server?.destroy();
    server = holder = undefined;
  });

  async function timelineOf(s: FerryServer, id: string): Promise<EventBody[]> {
    return (await s.get<{ events: EventBody[] }>(`/api/v1/events?subject=deployment/${id}`)).events;
  }

  it('fails at once, long before progressDeadline, naming the port and the process holding it', async () => {
    const held = await holdPort();
    holder = held.process;
    server = await FerryServer.create(
      helloConfig({ routePort: held.port, replicas: 1, progressDeadline: '10m' }),
    );
    await server.start();
    const started = Date.now();
    const v1 = await startDeploy(server, 'hello', 'prod', 'v1', helloVersion({ version: 'v1' }));
    const final = await waitForFinal(server, v1.id, 30_000);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(final.phase).toBe('Failed');
    expect(final.reason).toContain(`cannot listen on 127.0.0.1:${held.port} (EADDRINUSE)`);
    expect(final.reason).toContain(`held by pid ${held.process.pid} (${process.execPath} -e`);
    const timeline = await timelineOf(server, v1.id);
    expect(timeline.find((e) => e.kind === 'route.unavailable')?.payload).toMatchObject({
      listen: `127.0.0.1:${held.port}`,
    });
    // Nothing is left running for it.
    const s = server;
    await eventually(async () => (s.instancePids().length === 0 ? true : undefined), 15_000);
  });

  it("refuses to start a server whose API port is a route, at the route's location", async () => {
    server = await FerryServer.create('');
    await server.writeConfig(helloConfig({ routePort: server.port, replicas: 1 }));
    await expect(server.start()).rejects.toThrow(
      new RegExp(
        `ferry\\.yaml:11:13 services\\.hello\\.routes\\.prod: port ${server.port} on 127\\.0\\.0\\.1 ` +
          `is already used by the API of this server \\(--listen 127\\.0\\.0\\.1:${server.port}\\)`,
      ),
    );
  });

  it('aborts a blue-green whose preview port is taken; traffic stays on the old version and the service stays usable', async () => {
    const routePort = await freePort();
    const held = await holdPort();
    holder = held.process;
    server = await FerryServer.create(
      helloConfig({
        routePort,
        replicas: 1,
        progressDeadline: '10m',
        strategy: `      blueGreen:
        previewRoutes: { prod: 127.0.0.1:${held.port} }
        scaleDownDelay: 1s
`,
      }),
    );
    await server.start();
    await deployHello(server, { version: 'v1' });
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    const aborted = await waitForPhase(server, 'Aborted', undefined, 30_000);
    expect(aborted.deployment?.id).toBe(v2.id);
    expect(aborted.deployment?.reason).toContain(`127.0.0.1:${held.port} (EADDRINUSE)`);
    const res = await request(`http://127.0.0.1:${routePort}/`);
    expect(res.headers['x-version']).toBe('v1');
    await res.body.dump();
    // Once the port is free again, retrying carries the rollout through.
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder!.once('exit', resolve));
    await act(server, 'retry');
    await waitForPhase(server, 'Paused', undefined, 30_000);
  });
});

describe('a rollback whose previous version cannot start again', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  /** examples/hello as `version`, which exits at start once `brokenFlag` exists. */
  function helloThatBreaks(version: string, brokenFlag: string): string {
    const dir = helloVersion({ version });
    const main = join(dir, 'server.js');
    const guard = `if ((await import('node:fs')).existsSync(${JSON.stringify(brokenFlag)})) process.exit(1);\n`;
    writeFileSync(main, guard + readFileSync(main, 'utf8'));
    return dir;
  }

  it('keeps the failing version serving, and a deploy of a fix supersedes it without a refused request', async () => {
    const routePort = await freePort();
    const errors = `    analysis:
      errors:
        interval: 500ms
        count: 4
        metrics:
          - { name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.05 }
`;
    server = await FerryServer.create(
      helloConfig({
        routePort,
        replicas: 2,
        strategy: `      rolling: { maxSurge: 1, maxUnavailable: 0, postDeployAnalysis: { templates: [errors] } }`,
        service: errors,
      }),
    );
    await server.start();
    const broken = join(server.dir, 'v1-dependency-gone');
    const v1 = await startDeploy(server, 'hello', 'prod', 'v1', helloThatBreaks('v1', broken));
    expect((await waitForFinal(server, v1.id)).phase).toBe('Succeeded');
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();

    // What v1 needs is gone: its instances still running serve, a new one exits at once.
    writeFileSync(broken, '');
    const v2 = await startDeploy(
      server,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', errorRate: 0.5 }),
    );
    const s = server;
    const stuck = await eventually(async () => {
      const d = await s.get<DeploymentBody>(`/api/v1/deployments/${v2.id}`);
      return d.phase === 'RollingBack' ? d : undefined;
    }, 30_000);
    expect(stuck.reason).toMatch(/^analysis "post-deploy" Failed/);
    // Seconds later it still rolls back, v2 serving, and a plain deploy is no longer refused.
    await sleep(3_000);
    expect((await s.get<DeploymentBody>(`/api/v1/deployments/${v2.id}`)).phase).toBe('RollingBack');

    await uploadArtifact(s, 'hello', 'v3', helloVersion({ version: 'v3' }));
    const res = await s.send('POST', '/api/v1/deployments', {
      service: 'hello',
      environment: 'prod',
      version: 'v3',
    });
    expect(res.status).toBe(201);
    expect(res.body.superseded).toEqual({ id: v2.id, version: 'v2' });
    const v3 = res.body.deployment as DeploymentBody;
    const superseded = await s.get<DeploymentBody>(`/api/v1/deployments/${v2.id}`);
    expect(superseded.phase).toBe('Failed');
    expect(superseded.reason).toContain(`superseded by ${v3.id} (v3) before its rollback finished`);
    expect((await waitForFinal(s, v3.id)).phase).toBe('Succeeded');
    const result = await load.stop();
    load = undefined;

    // Every request was answered (v2's own 500s are its bug, not a refused connection).
    expect(result.errors).toEqual([]);
    expect(result.versions['v3']).toBeGreaterThan(0);
    const { instances } = await s.get<{ instances: { version: string }[] }>(
      '/api/v1/instances?service=hello&environment=prod',
    );
    expect(instances.map((i) => i.version)).toEqual(['v3', 'v3']);
  });
});
