import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { packDirectory } from '../../src/features/artifacts/pack-directory.js';
import { helloVersion, type HelloKnobs } from '../../src/demo/hello-version.js';
import type { FerryServer } from './ferry-server.js';

export interface DeploymentBody {
  readonly id: string;
  readonly phase: string;
  readonly version: string;
  readonly reason: string | null;
}

/** Packs and uploads a folder as an artifact version, as `ferry deploy` does. */
export async function uploadArtifact(
  server: FerryServer,
  service: string,
  version: string,
  dir: string,
): Promise<void> {
  const res = await request(`${server.url}/api/v1/artifacts/${service}/${version}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/gzip' },
    body: await packDirectory(dir),
  });
  const body = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`upload ${version}: ${res.statusCode} ${body}`);
}

/** Uploads and deploys; returns the created deployment without waiting. */
export async function startDeploy(
  server: FerryServer,
  service: string,
  environment: string,
  version: string,
  dir: string,
): Promise<DeploymentBody> {
  await uploadArtifact(server, service, version, dir);
  const res = await server.send('POST', '/api/v1/deployments', { service, environment, version });
  if (res.status >= 300)
    throw new Error(`deploy ${version}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.deployment as DeploymentBody;
}

const finalPhases = ['Succeeded', 'RolledBack', 'Failed', 'Aborted'];

/** Polls a deployment until it reaches a final phase. */
export async function waitForFinal(
  server: FerryServer,
  id: string,
  timeoutMs = 60_000,
): Promise<DeploymentBody> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const d = await server.get<DeploymentBody>(`/api/v1/deployments/${id}`);
    if (finalPhases.includes(d.phase)) return d;
    await sleep(100);
  }
  throw new Error(`deployment ${id} did not finish in ${timeoutMs}ms`);
}

/** Deploys a version of `hello` to `prod` and waits until the rollout ends. */
export async function deployHello(server: FerryServer, knobs: HelloKnobs): Promise<DeploymentBody> {
  const started = await startDeploy(server, 'hello', 'prod', knobs.version, helloVersion(knobs));
  return waitForFinal(server, started.id);
}

/** Waits until `check` returns a value that is not undefined. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
