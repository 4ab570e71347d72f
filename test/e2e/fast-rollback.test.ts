import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { act, shareOver, waitForPhase } from '../support/rollout.js';

interface EventBody {
  id: number;
  time: string;
  kind: string;
  subject: string;
  payload: Record<string, unknown>;
}

/** Steps that take minutes if a rollback goes through them: a pause for a person, then analysis. */
const canary = `      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 25
          - pause: {}
          - analysis: { templates: [errors] }
          - setWeight: 50
`;
const analysis = (rollbackWindow: number) => `    rollbackWindow: { revisions: ${rollbackWindow} }
    analysis:
      errors:
        interval: 1s
        count: 5
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
`;

describe('rollback', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  /** v1 live, then v2 failing 25% of requests made live past its steps (`promote --full`). */
  async function badVersionLive(rollbackWindow: number, v1: { startDelayMs?: number } = {}) {
    const routePort = await freePort();
    const s = await FerryServer.create(
      helloConfig({ routePort, replicas: 2, strategy: canary, service: analysis(rollbackWindow) }),
    );
    server = s;
    await s.start();
    await deployHello(s, { version: 'v1', ...v1 });
    const v2 = await startDeploy(
      s,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', errorRate: 0.25 }),
    );
    await waitForPhase(s, 'Paused', 1);
    await act(s, 'promote', { full: true });
    expect((await waitForFinal(s, v2.id)).phase).toBe('Succeeded');
    return { server: s, routePort };
  }

  async function eventsOf(s: FerryServer, query: string): Promise<EventBody[]> {
    return (await s.get<{ events: EventBody[] }>(`/api/v1/events?limit=1000&${query}`)).events;
  }

  it('within rollbackWindow goes to 100% of the old version under load, no pause, no analysis, within readiness + 2s', async () => {
    const { server: s, routePort } = await badVersionLive(3);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 200).start();
    await shareOver(load, 'v2', 1_000);

    const requestedAt = Date.now();
    const res = await s.send('POST', '/api/v1/rollbacks', {
      service: 'hello',
      environment: 'prod',
    });
    expect(res.status).toBe(201);
    const created = res.body.deployment as {
      id: string;
      version: string;
      rollback: { fast: boolean; window: number; strategy: string };
    };
    expect(created.version).toBe('v1');
    expect(created.rollback).toEqual({ fast: true, window: 3, strategy: 'canary' });

    const final = await waitForFinal(s, created.id, 30_000);
    expect(final.phase).toBe('Succeeded');
    // Requests in flight at the switch finish where they were sent; then only v1 answers.
    await shareOver(load, 'v1', 500);
    expect((await shareOver(load, 'v1', 2_000)).share).toBe(1);
    const result = await load.stop();
    load = undefined;

    // Structure: never paused, no step walked, no analysis run, one switch of all traffic.
    const timeline = await eventsOf(s, `subject=deployment/${created.id}`);
    const kinds = timeline.map((e) => e.kind);
    expect(kinds).not.toContain('rollout.paused');
    expect(kinds).not.toContain('rollout.step');
    expect(kinds.filter((k) => k.startsWith('analysis.'))).toEqual([]);
    expect(kinds.filter((k) => k === 'rollout.switched')).toHaveLength(1);
    const rollout = await s.get<{ analysis?: unknown[]; steps: unknown[] }>(
      '/api/v1/rollouts/hello/prod',
    );
    expect(rollout.analysis ?? []).toEqual([]);
    expect(rollout.steps).toEqual([]);

    // Time: the last v2 answer came within 2 s of the old instances being ready. The time they
    // took to start and pass readiness is theirs, not the rollback's: it is subtracted.
    // When each new v1 instance first became ready (a later flap does not count).
    const firstReady = new Map<string, number>();
    for (const e of await eventsOf(s, 'kind=instance.ready')) {
      const at = Date.parse(e.time);
      if (e.payload.version !== 'v1' || at < requestedAt || firstReady.has(e.subject)) continue;
      firstReady.set(e.subject, at);
    }
    expect(firstReady.size).toBe(2);
    const readyAt = Math.max(...firstReady.values());
    const lastBad = result.byVersion['v2']!.lastAt;
    const readinessMs = readyAt - requestedAt;
    const toAllOldMs = lastBad - requestedAt;
    expect(toAllOldMs - readinessMs).toBeLessThan(2_000);
    // No request was lost on the way: only v2's own 25% failures.
    expect(result.errors).toEqual([]);
    expect(result.byVersion['v1']!.failed).toBe(0);
  });

  it('of a rolling update starts every old instance at once: 100% old within readiness + 2s under load', async () => {
    const routePort = await freePort();
    const s = await FerryServer.create(
      helloConfig({ routePort, replicas: 4, maxSurge: 1, maxUnavailable: 0 }),
    );
    server = s;
    await s.start();
    // Each v1 instance takes 1.5 s to listen: paced one at a time, four of them take 6 s or more.
    await deployHello(s, { version: 'v1', startDelayMs: 1_500 });
    expect((await deployHello(s, { version: 'v2', errorRate: 0.25 })).phase).toBe('Succeeded');
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 200).start();
    await shareOver(load, 'v2', 1_000);

    const requestedAt = Date.now();
    const res = await s.send('POST', '/api/v1/rollbacks', {
      service: 'hello',
      environment: 'prod',
    });
    expect(res.status).toBe(201);
    const created = res.body.deployment as {
      id: string;
      rollback: { fast: boolean; window: number; strategy: string };
    };
    expect(created.rollback).toEqual({ fast: true, window: 3, strategy: 'rolling' });
    expect((await waitForFinal(s, created.id, 30_000)).phase).toBe('Succeeded');
    await shareOver(load, 'v1', 500);
    expect((await shareOver(load, 'v1', 2_000)).share).toBe(1);
    const result = await load.stop();
    load = undefined;

    // Time: the last v2 answer came within 2 s of the time one old instance takes to start and
    // pass readiness (the longest of the four): they started together, not one after another.
    const startedAt = new Map<string, number>();
    for (const e of await eventsOf(s, 'kind=instance.started')) {
      const at = Date.parse(e.time);
      if (e.payload.version === 'v1' && at >= requestedAt && !startedAt.has(e.subject))
        startedAt.set(e.subject, at);
    }
    const readinessOf = new Map<string, number>();
    for (const e of await eventsOf(s, 'kind=instance.ready')) {
      const started = startedAt.get(e.subject);
      if (started === undefined || readinessOf.has(e.subject)) continue;
      readinessOf.set(e.subject, Date.parse(e.time) - started);
    }
    expect(readinessOf.size).toBe(4);
    const readinessMs = Math.max(...readinessOf.values());
    const toAllOldMs = result.byVersion['v2']!.lastAt - requestedAt;
    expect(toAllOldMs - readinessMs).toBeLessThan(2_000);
    // No request was lost on the way: every non-2xx answer is one of v2's own failures.
    expect(result.errors).toEqual([]);
    expect(result.byVersion['v1']!.failed).toBe(0);
    expect(result.non2xx).toBe(result.byVersion['v2']!.failed);
  });

  it('carries on fast after the server is killed mid-way', async () => {
    // v1 takes 4 s to listen: the server dies while its instances start, before the switch.
    const { server: s, routePort } = await badVersionLive(3, { startDelayMs: 4_000 });
    const res = await s.send('POST', '/api/v1/rollbacks', {
      service: 'hello',
      environment: 'prod',
    });
    expect(res.status).toBe(201);
    await s.kill('SIGKILL');
    const restartedAt = Date.now();
    await s.start();
    const id = (res.body.deployment as { id: string }).id;
    expect((await waitForFinal(s, id, 30_000)).phase).toBe('Succeeded');
    const kinds = (await eventsOf(s, `subject=deployment/${id}`)).map((e) => e.kind);
    expect(kinds).not.toContain('rollout.paused');
    expect(kinds).not.toContain('rollout.step');
    expect(kinds.filter((k) => k.startsWith('analysis.'))).toEqual([]);
    const switched = (await eventsOf(s, `subject=deployment/${id}`)).filter(
      (e) => e.kind === 'rollout.switched',
    );
    expect(switched).toHaveLength(1);
    expect(Date.parse(switched[0]!.time)).toBeGreaterThan(restartedAt);
    const res2 = await fetch(`http://127.0.0.1:${routePort}/`);
    expect(res2.headers.get('x-version')).toBe('v1');
  });

  it('outside rollbackWindow goes through the canary strategy, and says so', async () => {
    const { server: s } = await badVersionLive(0);
    const res = await s.send('POST', '/api/v1/rollbacks', {
      service: 'hello',
      environment: 'prod',
    });
    expect(res.status).toBe(201);
    const created = res.body.deployment as { id: string; rollback: unknown };
    expect(created.rollback).toEqual({ fast: false, window: 0, strategy: 'canary' });
    const paused = await waitForPhase(s, 'Paused', 1);
    expect(paused.deployment?.id).toBe(created.id);
  });
});
