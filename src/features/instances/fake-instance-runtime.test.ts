import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../analysis/manual-scheduler.js';
import { FakeInstanceRuntime } from './fake-instance-runtime.js';
import type { InstanceRuntime, InstanceSpec, RuntimeEvent } from './instance-runtime.js';

const spec = (instanceId: string): InstanceSpec => ({
  instanceId,
  service: 'web',
  environment: 'prod',
  version: '1.0.0',
  artifactDigest: `sha256:${'a'.repeat(64)}`,
  artifactPath: '/fake/web.tgz',
  command: ['node', 'server.js'],
  cwd: '.',
  env: {},
  readiness: {
    path: '/healthz',
    intervalMs: 1000,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 3,
    initialDelayMs: 0,
  },
  drainTimeoutMs: 10_000,
});

function record(runtime: InstanceRuntime): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  runtime.onEvent((event) => events.push(event));
  return events;
}

const kinds = (events: readonly RuntimeEvent[]) => events.map((event) => event.kind);

// The contract suite (instance-runtime.contract.test.ts) covers what the fake shares with the
// local runtime; these cover the controls only the fake has.
describe('FakeInstanceRuntime controls', () => {
  it('goes ready on its own once settled, and after start returned', async () => {
    const runtime = new FakeInstanceRuntime();
    const events = record(runtime);
    await runtime.start(spec('web-1'));
    expect(runtime.get('web-1')?.phase).toBe('starting');
    await runtime.settled();
    expect(kinds(events)).toEqual(['instance.started', 'instance.ready']);
  });

  it('waits for makeReady without autoReady, and makeUnready takes the reason', async () => {
    const runtime = new FakeInstanceRuntime({ autoReady: false });
    const events = record(runtime);
    await runtime.start(spec('web-1'));
    await runtime.settled();
    expect(runtime.get('web-1')?.phase).toBe('starting');
    runtime.makeReady('web-1');
    runtime.makeUnready('web-1', 'GET /healthz → 500');
    expect(kinds(events)).toEqual(['instance.started', 'instance.ready', 'instance.unready']);
    expect(events[2]).toMatchObject({ reason: 'GET /healthz → 500' });
    expect(runtime.get('web-1')?.readinessProbe).toMatchObject({ ok: false, times: 1 });
  });

  it('runs auto-ready and restarts on an injected scheduler, at their delays', async () => {
    const scheduler = new ManualScheduler(1_000);
    const runtime = new FakeInstanceRuntime({ scheduler, readyAfterMs: 300 });
    const events = record(runtime);
    await runtime.start(spec('web-1'));
    await scheduler.advance(299);
    expect(kinds(events)).toEqual(['instance.started']);
    await scheduler.advance(1);
    expect(runtime.get('web-1')).toMatchObject({ phase: 'ready', startedAt: 1_000 });
    runtime.crash('web-1');
    runtime.crash('web-1'); // in backoff: nothing more happens
    await scheduler.advance(999);
    expect(kinds(events).slice(2)).toEqual(['instance.crashed']);
    await scheduler.advance(1);
    expect(runtime.get('web-1')).toMatchObject({
      phase: 'starting',
      restarts: 1,
      startedAt: 2_300,
    });
  });

  it('fails liveness: liveness_failed, then a crash by SIGKILL', async () => {
    const runtime = new FakeInstanceRuntime();
    const events = record(runtime);
    await runtime.start(spec('web-1'));
    await runtime.settled();
    runtime.failLiveness('web-1');
    expect(kinds(events).slice(2)).toEqual(['instance.liveness_failed', 'instance.crashed']);
    expect(events[3]).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('fails only the next start', async () => {
    const runtime = new FakeInstanceRuntime();
    runtime.failNextStart(new Error('disk full'));
    await expect(runtime.start(spec('web-1'))).rejects.toThrow('disk full');
    await expect(runtime.start(spec('web-1'))).resolves.toMatchObject({ phase: 'starting' });
  });

  it('keeps a crash-looping instance from going ready until told', async () => {
    const runtime = new FakeInstanceRuntime();
    await runtime.start(spec('web-1'));
    runtime.crashLoop('web-1');
    await runtime.settled();
    expect(runtime.get('web-1')).toMatchObject({ phase: 'starting', restarts: 3 });
    runtime.makeReady('web-1');
    runtime.crash('web-1');
    await runtime.settled();
    expect(runtime.get('web-1')).toMatchObject({ phase: 'ready', restarts: 4 });
  });

  it('hands its survivors to the next runtime, which loses the ones that vanished', async () => {
    const first = new FakeInstanceRuntime();
    await first.start(spec('web-1'));
    await first.start(spec('web-2'));
    await first.detach();
    first.vanish('web-2');
    const next = FakeInstanceRuntime.restartFrom(first);
    expect(await next.adopt(first.survivors())).toEqual({ adopted: ['web-1'], lost: ['web-2'] });
    await next.settled();
    expect(next.list().map((s) => [s.spec.instanceId, s.phase])).toEqual([['web-1', 'ready']]);
  });

  it('tails the log lines it wrote and those a test wrote', async () => {
    const runtime = new FakeInstanceRuntime();
    const status = await runtime.start(spec('web-1'));
    runtime.writeLog('web-1', 'GET / 200', 'GET / 500');
    expect(await runtime.logs('web-1', 3)).toEqual([
      `listening on 127.0.0.1:${status.record.port}`,
      'GET / 200',
      'GET / 500',
    ]);
    expect(await runtime.logs('web-1', 1)).toEqual(['GET / 500']);
  });

  it('refuses controls of an instance it does not run', () => {
    expect(() => new FakeInstanceRuntime().crash('nope')).toThrow(/no instance "nope"/);
  });
});
