import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { spawnNode, stopChild } from './child-process.js';
import { freePort, waitForHttp } from './network.js';
import { projectRoot } from './project-root.js';
import { isLiveProcess } from '../../src/runtime/local/proc-stat.js';
import { startRouterUnderTest } from './router-under-test.js';

describe('startRouterUnderTest', () => {
  let hello: ChildProcess;
  let upstreamPort: number;

  beforeAll(async () => {
    upstreamPort = await freePort();
    hello = spawnNode(join(projectRoot(), 'examples', 'hello', 'server.js'), {
      env: { PORT: String(upstreamPort), HELLO_VERSION: 'bench-upstream' },
    });
    await waitForHttp(`http://127.0.0.1:${upstreamPort}/`, 10_000);
  });
  afterAll(() => stopChild(hello));

  it('serves the upstream through a ferry router with two workers, and stop leaves none of it', async () => {
    const router = await startRouterUnderTest({ workers: 2, upstreamPort });
    const { pids } = router;
    try {
      const res = await fetch(router.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-version')).toBe('bench-upstream');
      await res.arrayBuffer();
      // The primary and both workers, all running.
      expect(new Set(pids).size).toBe(3);
      expect(pids.every(isLiveProcess)).toBe(true);
      expect(await router.cpuMicros()).toBeGreaterThan(0);
    } finally {
      await router.stop();
    }
    expect(pids.filter(isLiveProcess)).toEqual([]);
    await expect(fetch(router.url)).rejects.toThrow();
  });
});
