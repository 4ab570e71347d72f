import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { projectRoot } from '../../src/shared/project-root.js';
import { eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { copyPackageTree } from '../support/node-packages.js';
import { skipOrFail } from '../support/tmpfs.js';

interface InstanceBody {
  readonly id: string;
  readonly version: string;
}

const examples = join(projectRoot(), 'examples');

/** The example's own ferry.yaml, its routes moved to free ports. */
async function exampleConfig(name: string): Promise<{ yaml: string; routePort: number }> {
  const doc = parseDocument(readFileSync(join(examples, name, 'ferry.yaml'), 'utf8'));
  const routePort = await freePort();
  doc.setIn(['services', name, 'routes', 'prod'], `127.0.0.1:${routePort}`);
  doc.setIn(['services', name, 'routes', 'staging'], `127.0.0.1:${await freePort()}`);
  // The test deploys straight to prod: no promotion path.
  doc.setIn(['environments', 1, 'from'], null);
  return { yaml: doc.toString(), routePort };
}

function hasPython3(): boolean {
  try {
    execFileSync('python3', ['-c', 'import sys; sys.exit(sys.version_info < (3, 7))'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

async function logsOf(server: FerryServer, instance: InstanceBody): Promise<string> {
  const { lines } = await server.get<{ lines: string[] }>(`/api/v1/instances/${instance.id}/logs`);
  return lines.join('\n');
}

/** Per stop of the instance: whether Ferry had to SIGKILL what was left after `drainTimeout`. */
async function killedAtStop(
  server: FerryServer,
  instance: InstanceBody,
): Promise<(boolean | undefined)[]> {
  const { events } = await server.get<{ events: { payload: { killed?: boolean } }[] }>(
    `/api/v1/events?kind=instance.stopped&subject=instance/${instance.id}`,
  );
  return events.map((event) => event.payload.killed);
}

// The Fastify app's artifact carries its node_modules: thousands of files to pack, check and unpack.
describe('the example apps meet the app contract', { timeout: 180_000 }, () => {
  let server: FerryServer | undefined;
  let folder: string | undefined;
  afterEach(async () => {
    await server?.destroy();
    if (folder) rmSync(folder, { recursive: true, force: true });
    server = folder = undefined;
  });

  /** A copy of examples/<name>, as a user's checkout of it; `prepare` installs what it needs. */
  function checkout(name: string, prepare?: (dir: string) => void): string {
    folder = mkdtempSync(join(tmpdir(), `ferry-${name}-`));
    cpSync(join(examples, name), folder, { recursive: true });
    prepare?.(folder);
    return folder;
  }

  /**
   * Deploys `dir` as v1, then rolls to v2 while 200 requests/s go through the route, and checks
   * what a user sees: no failed request, v2 answering alone at the end, the old instances gone by
   * their own graceful exit (no SIGKILL), with their account of it in their logs.
   */
  async function rollsUnderLoad(name: string, dir: string): Promise<void> {
    const { yaml, routePort } = await exampleConfig(name);
    server = await FerryServer.create(yaml);
    await server.start();
    const v1 = await startDeploy(server, name, 'prod', 'v1', dir);
    expect((await waitForFinal(server, v1.id)).phase).toBe('Succeeded');

    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 200).start();
    const answered = (version: string) => load.seenVersions()[version] ?? 0;
    await eventually(async () => (answered('v1') >= 100 ? true : undefined));
    // A new release differs in its bytes (the same bytes under another label are already live):
    // a stamp stands for the code change.
    writeFileSync(join(dir, 'RELEASE'), 'v2\n');
    const v2 = await startDeploy(server, name, 'prod', 'v2', dir);
    expect((await waitForFinal(server, v2.id)).phase).toBe('Succeeded');
    const v1Total = answered('v1');
    const v2AtEnd = answered('v2');
    await eventually(async () => (answered('v2') >= v2AtEnd + 100 ? true : undefined));
    const result = await load.stop();

    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(result.versions['v1']).toBe(v1Total);
    expect(result.versions['v2']).toBeGreaterThan(0);
    const live = await server.get<{ instances: InstanceBody[] }>(
      `/api/v1/instances?service=${name}&environment=prod`,
    );
    expect(live.instances.map((i) => i.version)).toEqual(['v2', 'v2']);
    const old = await server.get<{ instances: InstanceBody[] }>(
      `/api/v1/instances?deployment=${v1.id}`,
    );
    expect(old.instances).toHaveLength(2);
    for (const instance of old.instances) {
      // Printed to stdout after SIGTERM, once the requests in flight were done; then it exited.
      expect(await logsOf(server, instance)).toContain('drained, bye');
      expect(await killedAtStop(server, instance)).toEqual([false]);
    }
  }

  it('python-app (Python standard library) rolls v1 → v2 under load without a failed request', async (ctx) => {
    if (!hasPython3()) return skipOrFail('python3 (3.7 or later) is not installed', ctx.skip);
    await rollsUnderLoad('python-app', checkout('python-app'));
  });

  it('fastify-app (Fastify from npm) rolls v1 → v2 under load without a failed request', async () => {
    // What `npm install --omit=dev` in the folder does, from Ferry's own node_modules.
    const dir = checkout('fastify-app', (d) => copyPackageTree('fastify', projectRoot(), d));
    await rollsUnderLoad('fastify-app', dir);
  });
});
