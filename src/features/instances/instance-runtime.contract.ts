import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type {
  InstanceRecord,
  InstanceRuntime,
  InstanceSpec,
  InstanceStatus,
  RuntimeEvent,
} from './instance-runtime.js';

/** The backoff every harness gives its runtime, so both announce the same restart delays. */
export const contractBackoff = { initialMs: 50, maxMs: 5_000, crashLoopRestarts: 3 } as const;

/**
 * One implementation under the contract, and how to make its instances do what processes do.
 * The real adapter does it with real processes; the fake with its controls.
 */
export interface RuntimeHarness {
  readonly runtime: InstanceRuntime;
  /** A spec of an instance that goes ready once started. */
  spec(instanceId: string): InstanceSpec;
  /** A spec whose next start fails (and starts nothing). */
  failingStart(instanceId: string): InstanceSpec;
  /** The instance's process is killed by SIGKILL. */
  kill(status: InstanceStatus): Promise<void>;
  /** Readiness of the instance fails (`false`) or passes again (`true`). */
  setReady(instanceId: string, ready: boolean): Promise<void>;
  /** Every start of the instance from now on crashes at once; then its process is killed. */
  crashLoop(status: InstanceStatus): Promise<void>;
  /** Detaches the runtime and returns a new one on the same machine: a server restart. */
  restart(): Promise<InstanceRuntime>;
  /** The process of a record dies while no runtime watches it (after `restart`'s detach). */
  vanish(record: InstanceRecord): Promise<void>;
  close(): Promise<void>;
}

/** What every InstanceRuntime promises; `open` gives a harness with nothing running. */
export function describeInstanceRuntimeContract(
  name: string,
  open: () => Promise<RuntimeHarness>,
): void {
  describe(`InstanceRuntime contract: ${name}`, () => {
    let harness: RuntimeHarness;
    let runtime: InstanceRuntime;
    let events: RuntimeEventRecorder;
    beforeEach(async () => {
      harness = await open();
      runtime = harness.runtime;
      events = new RuntimeEventRecorder().listen(runtime);
    });
    afterEach(async () => {
      events.stop();
      await harness.close();
    });

    async function startReady(id: string): Promise<InstanceStatus> {
      const status = await runtime.start(harness.spec(id));
      await events.waitFor(id, 'instance.ready');
      return status;
    }

    /** A new runtime on the same machine, its events recorded too. */
    async function restartServer(): Promise<InstanceRuntime> {
      runtime = await harness.restart();
      events.listen(runtime);
      return runtime;
    }

    it('starts an instance: started while starting, then ready; get and list show it', async () => {
      const spec = harness.spec('web-1');
      const status = await runtime.start(spec);
      expect(status).toMatchObject({ spec, phase: 'starting', restarts: 0 });
      expect(status.record).toMatchObject({ instanceId: 'web-1', host: '127.0.0.1' });
      expect(status.record.port).toBeGreaterThan(0);
      const ready = await events.waitFor('web-1', 'instance.ready');
      expect(events.kinds('web-1')).toEqual(['instance.started', 'instance.ready']);
      expect(events.of('web-1', 'instance.started')[0]?.status.phase).toBe('starting');
      expect(ready.status).toMatchObject({ phase: 'ready', restarts: 0, record: status.record });
      expect(ready.status.readinessProbe?.ok).toBe(true);
      expect(runtime.get('web-1')).toMatchObject({ phase: 'ready', record: status.record });
      expect(runtime.list().map((s) => s.spec.instanceId)).toEqual(['web-1']);
    });

    it('refuses to start an id that runs, and keeps the one running', async () => {
      const first = await startReady('web-1');
      await expect(runtime.start(harness.spec('web-1'))).rejects.toMatchObject({
        code: 'conflict',
      });
      expect(runtime.list().map((s) => s.record.pid)).toEqual([first.record.pid]);
    });

    it('rejects a start that fails, with no event and nothing listed', async () => {
      await expect(runtime.start(harness.failingStart('web-1'))).rejects.toThrow();
      expect(events.events).toEqual([]);
      expect(runtime.get('web-1')).toBeUndefined();
      await startReady('web-2');
      expect(runtime.list().map((s) => s.spec.instanceId)).toEqual(['web-2']);
    });

    it('stops an instance: stopped, then gone; stopping it again or an unknown id resolves', async () => {
      await startReady('web-1');
      await startReady('web-2');
      await runtime.stop('web-1');
      const stopped = events.of('web-1', 'instance.stopped');
      expect(stopped).toHaveLength(1);
      expect(stopped[0]).toMatchObject({ killed: false, status: { phase: 'stopped' } });
      expect(events.kinds('web-1').at(-1)).toBe('instance.stopped');
      expect(runtime.get('web-1')).toBeUndefined();
      expect(runtime.list().map((s) => s.spec.instanceId)).toEqual(['web-2']);
      await runtime.stop('web-1');
      await runtime.stop('nope');
      expect(events.of('web-1', 'instance.stopped')).toHaveLength(1);
    });

    it('reports unready while readiness fails and ready once it passes again', async () => {
      await startReady('web-1');
      await harness.setReady('web-1', false);
      const unready = await events.waitFor('web-1', 'instance.unready');
      expect(unready.reason).toContain('503');
      expect(unready.status.phase).toBe('unready');
      expect(runtime.get('web-1')?.phase).toBe('unready');
      await harness.setReady('web-1', true);
      await events.waitFor('web-1', 'instance.ready', 2);
      expect(events.kinds('web-1')).toEqual([
        'instance.started',
        'instance.ready',
        'instance.unready',
        'instance.ready',
      ]);
      expect(runtime.get('web-1')?.phase).toBe('ready');
    });

    it('restarts a crashed instance on its port: crashed, started, ready, one restart', async () => {
      const first = await startReady('web-1');
      await harness.kill(first);
      await events.waitFor('web-1', 'instance.ready', 2);
      expect(events.kinds('web-1')).toEqual([
        'instance.started',
        'instance.ready',
        'instance.crashed',
        'instance.started',
        'instance.ready',
      ]);
      const [crashed] = events.of('web-1', 'instance.crashed');
      expect(crashed).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
      expect(crashed).toMatchObject({ restartInMs: contractBackoff.initialMs });
      expect(crashed?.status).toMatchObject({ phase: 'backoff', restarts: 0 });
      const restarted = events.of('web-1', 'instance.started')[1]?.status;
      expect(restarted).toMatchObject({ phase: 'starting', restarts: 1 });
      expect(restarted?.record.port).toBe(first.record.port);
      expect(restarted?.record.pid).not.toBe(first.record.pid);
      expect(runtime.get('web-1')).toMatchObject({ phase: 'ready', restarts: 1 });
    });

    it('reports a crash loop once, with doubling delays; a stop in backoff ends it', async () => {
      await harness.crashLoop(await startReady('web-1'));
      const loop = await events.waitFor('web-1', 'instance.crash_loop');
      expect(loop.restarts).toBe(contractBackoff.crashLoopRestarts);
      const kinds = events.kinds('web-1');
      expect(kinds.slice(0, kinds.indexOf('instance.crash_loop') + 1)).toEqual([
        'instance.started',
        'instance.ready',
        'instance.crashed',
        'instance.started',
        'instance.crashed',
        'instance.started',
        'instance.crashed',
        'instance.crash_loop',
      ]);
      const delays = events.of('web-1', 'instance.crashed').map((c) => c.restartInMs);
      expect(delays.slice(0, 3)).toEqual([50, 100, 200]);
      await runtime.stop('web-1');
      expect(events.kinds('web-1').at(-1)).toBe('instance.stopped');
      expect(events.of('web-1', 'instance.crash_loop')).toHaveLength(1);
      expect(runtime.get('web-1')).toBeUndefined();
    });

    it('after a server restart, adopts what still runs and answers lost for what died', async () => {
      const kept = await startReady('web-1');
      const died = await startReady('web-2');
      const records = [kept, died].map((s) => ({ spec: s.spec, record: s.record }));
      await restartServer();
      await harness.vanish(died.record);
      expect(runtime.list()).toEqual([]);
      expect(await runtime.adopt(records)).toEqual({ adopted: ['web-1'], lost: ['web-2'] });
      const adopted = events.of('web-1', 'instance.adopted');
      expect(adopted).toHaveLength(1);
      expect(adopted[0]?.status).toMatchObject({ phase: 'starting', record: kept.record });
      await events.waitFor('web-1', 'instance.ready', 2);
      expect(events.kinds('web-2').slice(2)).toEqual([]);
      expect(runtime.list().map((s) => s.spec.instanceId)).toEqual(['web-1']);
      expect(runtime.get('web-1')).toMatchObject({ phase: 'ready', record: kept.record });
      await runtime.stop('web-1');
      expect(events.kinds('web-1').at(-1)).toBe('instance.stopped');
    });

    it('adopts an instance it already supervises without announcing it again', async () => {
      const status = await startReady('web-1');
      const result = await runtime.adopt([{ spec: status.spec, record: status.record }]);
      expect(result).toEqual({ adopted: ['web-1'], lost: [] });
      expect(events.of('web-1', 'instance.adopted')).toEqual([]);
    });

    it('keeps telling the other listeners when one throws, and stops telling one that left', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      onTestFinished(() => warn.mockRestore());
      runtime.onEvent(() => {
        throw new Error('a listener with a bug');
      });
      const heard: string[] = [];
      const leave = runtime.onEvent((event) => heard.push(event.kind));
      await startReady('web-1');
      leave();
      await runtime.stop('web-1');
      expect(heard).toEqual(['instance.started', 'instance.ready']);
      expect(events.kinds('web-1').at(-1)).toBe('instance.stopped');
      const bug = expect.objectContaining({ message: 'a listener with a bug' });
      expect(warn).toHaveBeenCalledWith(bug, { code: 'FERRY_EVENT_LISTENER' });
    });

    it('tails what the instance printed, also once stopped', async () => {
      const status = await startReady('web-1');
      const listening = `listening on 127.0.0.1:${status.record.port}`;
      expect(await runtime.logs('web-1', 50)).toContain(listening);
      await runtime.stop('web-1');
      expect(await runtime.logs('web-1', 50)).toContain(listening);
    });

    it('has no log lines for an id it never ran', async () => {
      expect(await runtime.logs('nope', 10)).toEqual([]);
    });

    it('refuses to start once detached', async () => {
      await runtime.detach();
      await expect(runtime.start(harness.spec('web-1'))).rejects.toMatchObject({
        code: 'conflict',
      });
    });
  });
}

type EventOf<K extends RuntimeEvent['kind']> = Extract<RuntimeEvent, { kind: K }>;

/**
 * Every event of the runtimes it listens to, for any InstanceRuntime (fake or real), with a wait
 * for the n-th event of a kind. The timeout only guards a test that would hang; nothing is timed.
 */
class RuntimeEventRecorder {
  readonly events: RuntimeEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribes: (() => void)[] = [];

  listen(runtime: InstanceRuntime): this {
    const unsubscribe = runtime.onEvent((event) => {
      this.events.push(event);
      for (const wake of [...this.waiters]) wake();
    });
    this.unsubscribes.push(unsubscribe);
    return this;
  }

  /** Events of one instance, optionally of one kind. */
  of<K extends RuntimeEvent['kind']>(instanceId: string, kind?: K): EventOf<K>[] {
    return this.events.filter(
      (event): event is EventOf<K> =>
        event.status.spec.instanceId === instanceId && (kind === undefined || event.kind === kind),
    );
  }

  /** Kinds of the events of one instance, in order. */
  kinds(instanceId: string): RuntimeEvent['kind'][] {
    return this.of(instanceId).map((event) => event.kind);
  }

  /** Resolves with the `count`-th event of the kind for the instance (seen ones count). */
  waitFor<K extends RuntimeEvent['kind']>(
    instanceId: string,
    kind: K,
    count = 1,
    timeoutMs = 30_000,
  ): Promise<EventOf<K>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.of(instanceId, kind)[count - 1];
        if (found === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.kinds(instanceId).join(', ');
        reject(new Error(`no ${count}× ${kind} of ${instanceId} in ${timeoutMs}ms; saw: ${seen}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }
}
