import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort } from '../../runtime/local/free-port.js';
import { json, send, startUpstream, type Echo } from '../router/test-upstreams.js';
import {
  removeDataDir,
  startTestRouter,
  testRouterSettings,
  waitGone,
  type TestRouter,
} from './test-router-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function servedRouter(): Promise<{ router: TestRouter; port: number }> {
  const router = await startTestRouter({ workers: 2 });
  cleanups.push(() => removeDataDir(router.dataDir));
  cleanups.push(() => router.kill());
  const a = await startUpstream('a');
  cleanups.push(() => a.close());
  const port = await allocatePort();
  await router.remote.apply({
    service: 'web',
    environment: 'prod',
    listen: { host: '127.0.0.1', port },
    backends: { stable: [a.upstream] },
  });
  return { router, port };
}

async function untilWorkers(router: TestRouter, ready: (pids: readonly number[]) => boolean) {
  for (let i = 0; i < 200; i++) {
    const { workers } = await router.remote.health();
    if (ready(workers)) return workers;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('workers never settled');
}

describe('ferry router workers', () => {
  it('replaces a worker that dies, and keeps serving', async () => {
    const { router, port } = await servedRouter();
    const { workers } = await router.remote.health();
    process.kill(workers[0]!, 'SIGKILL');
    const now = await untilWorkers(
      router,
      (pids) => pids.length === 2 && !pids.includes(workers[0]!),
    );
    expect(now).toContain(workers[1]);
    for (let i = 0; i < 10; i++) expect(json<Echo>(await send(port)).id).toBe('a');
  });

  it('runs as many workers as new settings ask, and leaves equal settings alone', async () => {
    const { router, port } = await servedRouter();
    const { workers } = await router.remote.health();
    await router.remote.configure(testRouterSettings(2));
    expect((await router.remote.health()).workers).toEqual(workers);
    await router.remote.configure(testRouterSettings(3));
    const health = await router.remote.health();
    expect(health.workers).toHaveLength(3);
    expect(health.settings.workers).toBe(3);
    for (const pid of health.workers) expect(workers).not.toContain(pid);
    expect(await waitGone(workers)).toBe(true);
    for (let i = 0; i < 10; i++) expect(json<Echo>(await send(port)).id).toBe('a');
  });
});
