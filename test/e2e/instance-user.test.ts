import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { deployHello, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';

interface InstanceBody {
  version: string;
  pid: number;
}

/** Real, effective, saved and file-system uid of a process. */
function uidsOf(pid: number): number[] {
  const line = /^Uid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  return line.split(/\s+/).map(Number);
}

describe.runIf(process.getuid?.() === 0)('the user instances of a root server run as', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  it('is nobody by default, and root only when runtime.local.user says root', async () => {
    const routePort = await freePort();
    const config = helloConfig({ routePort, replicas: 1 });
    server = await FerryServer.create(config);
    await server.start();
    expect((await deployHello(server, { version: 'v1' })).phase).toBe('Succeeded');
    const [v1] = (
      await server.get<{ instances: InstanceBody[] }>('/api/v1/instances?service=hello')
    ).instances;
    expect(uidsOf(v1!.pid)).toEqual([65534, 65534, 65534, 65534]);

    await server.kill('SIGTERM');
    await server.writeConfig(
      config.replace(
        'command: [node, server.js]',
        'command: [node, server.js]\n        user: root',
      ),
    );
    await server.start();
    // The server reconciles from the file on start: v1 rolls out again, as root, first.
    const [again] = (
      await server.get<{ deployments: { id: string; version: string }[] }>(
        '/api/v1/deployments?service=hello&environment=prod',
      )
    ).deployments;
    expect(again?.version).toBe('v1');
    expect((await waitForFinal(server, again!.id)).phase).toBe('Succeeded');
    expect((await deployHello(server, { version: 'v2' })).phase).toBe('Succeeded');

    const [v2] = (
      await server.get<{ instances: InstanceBody[] }>('/api/v1/instances?service=hello')
    ).instances;
    expect(v2?.version).toBe('v2');
    expect(uidsOf(v2!.pid)).toEqual([0, 0, 0, 0]);
  });
});
