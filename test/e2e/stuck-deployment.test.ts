import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, eventually, startDeploy, waitForFinal } from '../support/deploy.js';
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
