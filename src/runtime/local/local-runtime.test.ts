import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localHandleOf } from './local-handle.js';
import { LocalRuntime } from './local-runtime.js';
import { isLiveProcess, isSameLiveProcess, readProcStat } from './proc-stat.js';
import { isGroupAlive } from './process-group.js';
import {
  buildHelloArtifact,
  EventLog,
  helloSpec,
  makeTempDir,
  requestJson,
  fastReadiness,
  killTagged,
  taggedProcesses,
  type BuiltArtifact,
} from './test-fixtures.js';
import { openCgroupBase } from './cgroup-v2.js';
import { killOrphans } from './orphan-processes.js';
import { runtimeKey } from './instance-marker.js';

/** Resources keeping the event loop alive, by kind (`Timeout`, `TCPSocketWrap`, ...). */
function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo())
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Real, effective, saved and file-system ids of a process, from /proc/<pid>/status. */
function processIds(pid: number): { uid: number[]; gid: number[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const ids = (name: string) =>
    (new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).map(Number);
  return { uid: ids('Uid'), gid: ids('Gid') };
}

let root: string;
let hello: BuiltArtifact;
let dataDir: string;
let log: EventLog;
const runtimes: LocalRuntime[] = [];

function newRuntime(
  options: Partial<ConstructorParameters<typeof LocalRuntime>[0]> = {},
): LocalRuntime {
  const runtime = new LocalRuntime({
    dataDir,
    artifactPath: (digest) => built.get(digest) ?? join(root, 'missing.tgz'),
    ...options,
  });
  runtimes.push(runtime);
  log.listen(runtime);
  return runtime;
}

/** Tarballs of the artifacts built so far, by digest: where the runtimes find them. */
const built = new Map<string, string>();

async function artifact(name: string, settings: Record<string, unknown>): Promise<BuiltArtifact> {
  const result = await buildHelloArtifact(root, settings, name);
  built.set(result.digest, result.path);
  return result;
}

beforeAll(async () => {
  root = await makeTempDir();
  hello = await artifact('hello', { version: '1.0.0' });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let testCount = 0;
beforeEach(() => {
  testCount += 1;
  dataDir = join(root, `data-${testCount}`);
  log = new EventLog();
});

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.detach();
  await log.cleanup();
  await killOrphans(dataDir); // and the cgroups of instances left running on purpose
});

describe('LocalRuntime', () => {
  it('starts an instance that becomes ready, serves on its port and logs to its file', async () => {
    const runtime = newRuntime();
    const status = await runtime.start(helloSpec(hello, { instanceId: 'web-1' }));

    expect(status.phase).toBe('starting');
    expect(localHandleOf(status.record).pgid).toBe(localHandleOf(status.record).pid);
    expect(localHandleOf(status.record).pidStartTicks).toBe(
      readProcStat(localHandleOf(status.record).pid)?.startTicks,
    );
    expect(log.of('instance.started', 'web-1')).toHaveLength(1);

    await log.waitFor('instance.ready', 'web-1');
    expect(runtime.get('web-1')?.phase).toBe('ready');
    const response = await requestJson(status.record.port);
    expect(response.status).toBe(200);
    expect(response.headers['x-version']).toBe('1.0.0');
    expect(response.body).toMatchObject({
      version: '1.0.0',
      instance: 'web-1',
      pid: localHandleOf(status.record).pid,
    });

    const releaseDir = join(dataDir, 'releases', 'web', 'dev', hello.digest.slice(7, 23));
    expect(existsSync(join(releaseDir, 'server.js'))).toBe(true);
    expect(localHandleOf(status.record).logPath).toBe(
      join(dataDir, 'logs', 'web', 'dev', 'web-1.log'),
    );
    const lines = await runtime.logs('web-1', 10);
    expect(lines.join('\n')).toContain(`listening on 127.0.0.1:${status.record.port}`);
    expect(runtime.list().map((s) => s.spec.instanceId)).toEqual(['web-1']);
  });

  it('stops gracefully: SIGTERM drains the instance, which exits on its own', async () => {
    const runtime = newRuntime();
    const status = await runtime.start(
      helloSpec(hello, { instanceId: 'web-1', drainTimeoutMs: 20_000 }),
    );
    await log.waitFor('instance.ready', 'web-1');

    const began = Date.now();
    await runtime.stop('web-1');

    expect(Date.now() - began).toBeLessThan(15_000);
    const [stopped] = log.of('instance.stopped', 'web-1');
    expect(stopped?.killed).toBe(false);
    expect(stopped?.status.phase).toBe('stopped');
    expect(isGroupAlive(localHandleOf(status.record).pgid)).toBe(false);
    expect(runtime.get('web-1')).toBeUndefined();
    expect(log.of('instance.crashed')).toHaveLength(0);
    expect((await runtime.logs('web-1', 5)).join('\n')).toContain('SIGTERM: draining');
    // A later server finds the log of an instance it never supervised.
    expect((await newRuntime().logs('web-1', 5)).join('\n')).toContain('drained, bye');
    expect(await newRuntime().logs('web-9', 5)).toEqual([]);
    await runtime.stop('unknown'); // resolves
  });

  it('SIGKILLs an instance that ignores SIGTERM once the drain timeout runs out', async () => {
    const stubborn = await artifact('stubborn', { ignoreSigterm: true });
    const runtime = newRuntime();
    const status = await runtime.start(
      helloSpec(stubborn, { instanceId: 'web-1', drainTimeoutMs: 500 }),
    );
    await log.waitFor('instance.ready', 'web-1');

    await runtime.stop('web-1');

    expect(log.of('instance.stopped', 'web-1')[0]?.killed).toBe(true);
    expect(isGroupAlive(localHandleOf(status.record).pgid)).toBe(false);
    expect((await runtime.logs('web-1', 5)).join('\n')).toContain('SIGTERM ignored');
  });

  it('resolves a stop only once its own child is reaped: no zombie is left in the process table', async () => {
    const stubborn = await artifact('stubborn', { ignoreSigterm: true });
    const runtime = newRuntime();
    const status = await runtime.start(
      helloSpec(stubborn, { instanceId: 'web-1', drainTimeoutMs: 5_000 }),
    );
    await log.waitFor('instance.ready', 'web-1');
    const { pid } = localHandleOf(status.record);

    const stopping = runtime.stop('web-1');
    await sleep(50); // SIGTERM sent and ignored: the drain polls the process every 100 ms
    // Past this loop turn's poll phase (setImmediate runs after it), the instance dies while the
    // loop is busy: its SIGCHLD waits for the next poll phase, and the drain's timer, now due,
    // runs before that and finds only a zombie.
    await new Promise<void>((resolveImmediate) => setImmediate(resolveImmediate));
    process.kill(pid, 'SIGKILL');
    const busyUntil = Date.now() + 300;
    while (readProcStat(pid)?.state !== 'Z' || Date.now() < busyUntil) {
      // busy on purpose
    }
    await stopping;

    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('restarts a crashing instance with growing backoff and reports a crash loop', async () => {
    const crashing = await artifact('crashing', { crashAfterMs: 300, neverReady: true });
    const runtime = newRuntime({ backoff: { initialMs: 100, maxMs: 5000, crashLoopRestarts: 3 } });
    const first = await runtime.start(helloSpec(crashing, { instanceId: 'web-1' }));

    const loop = await log.waitFor('instance.crash_loop', 'web-1');
    await log.waitFor('instance.started', 'web-1', 3);

    expect(loop.restarts).toBe(3);
    const crashes = log.of('instance.crashed', 'web-1');
    expect(crashes.slice(0, 3).map((c) => c.restartInMs)).toEqual([100, 200, 400]);
    expect(crashes[0]).toMatchObject({ exitCode: 1, signal: null });
    expect(crashes[0]?.status.phase).toBe('backoff');
    const starts = log.of('instance.started', 'web-1');
    expect(starts.map((s) => s.status.restarts)).toEqual([0, 1, 2]);
    expect(new Set(starts.map((s) => s.status.record.port))).toEqual(new Set([first.record.port]));
    expect(new Set(starts.map((s) => localHandleOf(s.status.record).pid)).size).toBe(3);
    expect(log.of('instance.crash_loop')).toHaveLength(1);

    // stderr goes to the same log file as stdout.
    expect((await runtime.logs('web-1', 50)).join('\n')).toContain('crashing after 300ms');

    await runtime.stop('web-1');
    for (const start of starts)
      expect(isGroupAlive(localHandleOf(start.status.record).pgid)).toBe(false);
  });

  it('stops an instance waiting for its restart without restarting it', async () => {
    const crashing = await artifact('crashing', { crashAfterMs: 300 });
    const runtime = newRuntime({ backoff: { initialMs: 2000 } });
    await runtime.start(helloSpec(crashing, { instanceId: 'web-1' }));
    await log.waitFor('instance.crashed', 'web-1');
    expect(runtime.get('web-1')?.phase).toBe('backoff');

    await runtime.stop('web-1');
    await sleep(2500);

    expect(log.of('instance.stopped', 'web-1')[0]).toMatchObject({ killed: false });
    expect(log.of('instance.started', 'web-1')).toHaveLength(1);
    expect(runtime.get('web-1')).toBeUndefined();
  });

  it('reports unready while readiness fails and ready again once it passes', async () => {
    const runtime = newRuntime();
    const readiness = { ...fastReadiness, timeoutMs: 300, failureThreshold: 2 };
    const status = await runtime.start(helloSpec(hello, { instanceId: 'web-1', readiness }));
    await log.waitFor('instance.ready', 'web-1');

    process.kill(-localHandleOf(status.record).pgid, 'SIGSTOP'); // frozen: probes time out
    const unready = await log.waitFor('instance.unready', 'web-1');
    expect(unready.reason).toMatch(/^GET \S+ timed out after 300ms$/);
    expect(runtime.get('web-1')?.phase).toBe('unready');
    process.kill(-localHandleOf(status.record).pgid, 'SIGCONT');
    await log.waitFor('instance.ready', 'web-1', 2);

    expect(runtime.get('web-1')?.phase).toBe('ready');
    expect(log.of('instance.crashed')).toHaveLength(0);
    await runtime.stop('web-1');
  });

  it('keeps an instance that never passes readiness in phase starting', async () => {
    const stuck = await artifact('stuck', { neverReady: true });
    const runtime = newRuntime();
    const status = await runtime.start(helloSpec(stuck, { instanceId: 'web-1' }));

    await sleep(1500);

    expect(runtime.get('web-1')?.phase).toBe('starting');
    expect(log.of('instance.ready')).toHaveLength(0);
    expect((await requestJson(status.record.port, '/healthz')).status).toBe(503);
  });

  it('restarts an instance whose liveness probe fails', async () => {
    const stuck = await artifact('stuck', { neverReady: true });
    const runtime = newRuntime({ backoff: { initialMs: 100 } });
    const liveness = {
      path: '/healthz',
      intervalMs: 100,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 2,
      initialDelayMs: 0,
    };
    const first = await runtime.start(helloSpec(stuck, { instanceId: 'web-1', liveness }));

    await log.waitFor('instance.liveness_failed', 'web-1');
    const crashed = await log.waitFor('instance.crashed', 'web-1');
    const restarted = await log.waitFor('instance.started', 'web-1', 2);

    expect(crashed.signal).toBe('SIGKILL');
    expect(restarted.status.restarts).toBe(1);
    expect(localHandleOf(restarted.status.record).pid).not.toBe(localHandleOf(first.record).pid);
    expect(isGroupAlive(localHandleOf(first.record).pgid)).toBe(false);
    await runtime.stop('web-1');
  });

  it('leaves nothing that keeps the event loop alive after detach', async () => {
    const before = countResources();
    const runtime = newRuntime();
    const liveness = { ...fastReadiness, failureThreshold: 100 };
    const status = await runtime.start(helloSpec(hello, { instanceId: 'web-1', liveness }));
    await log.waitFor('instance.ready', 'web-1');

    await runtime.detach();
    await sleep(100); // in-flight probes settle

    const after = countResources();
    for (const [kind, count] of after)
      expect(count, kind).toBeLessThanOrEqual(before.get(kind) ?? 0);
    expect((await requestJson(status.record.port)).status).toBe(200);
  });

  it('adopts an instance left running by a detached runtime', async () => {
    const a = newRuntime();
    const status = await a.start(helloSpec(hello, { instanceId: 'web-1' }));
    await log.waitFor('instance.ready', 'web-1');
    await a.detach();
    expect(a.list()).toHaveLength(0);
    expect((await requestJson(status.record.port)).status).toBe(200);

    const b = newRuntime();
    const result = await b.adopt([{ spec: status.spec, record: status.record }]);

    expect(result).toEqual({ adopted: ['web-1'], lost: [] });
    expect(log.of('instance.adopted', 'web-1')[0]?.status.phase).toBe('starting');
    await log.waitFor('instance.ready', 'web-1', 2);
    expect(b.get('web-1')?.phase).toBe('ready');
    expect(b.get('web-1')?.record).toEqual(status.record);
    expect((await b.logs('web-1', 20)).join('\n')).toContain('listening');

    await b.stop('web-1');
    expect(log.of('instance.stopped', 'web-1')[0]?.killed).toBe(false);
    expect(isGroupAlive(localHandleOf(status.record).pgid)).toBe(false);
  });

  it('adopts instances of a relative data folder and keeps them running', async () => {
    const relativeData = relative(process.cwd(), dataDir);
    const a = newRuntime({ dataDir: relativeData });
    const status = await a.start(helloSpec(hello, { instanceId: 'web-1' }));
    await log.waitFor('instance.ready', 'web-1');
    await a.detach();

    const b = newRuntime({ dataDir: relativeData });
    const result = await b.adopt([{ spec: status.spec, record: status.record }]);
    await sleep(1000);

    expect(result).toEqual({ adopted: ['web-1'], lost: [] });
    expect(
      isSameLiveProcess(
        localHandleOf(status.record).pid,
        localHandleOf(status.record).pidStartTicks,
      ),
    ).toBe(true);
    expect(log.of('instance.crashed')).toHaveLength(0);
    expect((await requestJson(status.record.port)).body.pid).toBe(localHandleOf(status.record).pid);
    expect(isAbsolute(localHandleOf(status.record).logPath)).toBe(true);
    await b.stop('web-1');
  });

  it('restarts an adopted instance that dies', async () => {
    const a = newRuntime();
    const status = await a.start(helloSpec(hello, { instanceId: 'web-1' }));
    await a.detach();
    const b = newRuntime({ backoff: { initialMs: 100 }, adoptedPollMs: 100 });
    await b.adopt([{ spec: status.spec, record: status.record }]);

    process.kill(-localHandleOf(status.record).pgid, 'SIGKILL');

    const crashed = await log.waitFor('instance.crashed', 'web-1');
    const restarted = await log.waitFor('instance.started', 'web-1', 2);
    expect(crashed).toMatchObject({ exitCode: null, signal: null, restartInMs: 100 });
    expect(restarted.status.record.port).toBe(status.record.port);
    await log.waitFor('instance.ready', 'web-1');
    expect((await requestJson(status.record.port)).body.pid).toBe(
      localHandleOf(restarted.status.record).pid,
    );
    await b.stop('web-1');
  });

  it('reports records of dead processes as lost, and never kills a process that reused the pid', async () => {
    const a = newRuntime();
    const status = await a.start(helloSpec(hello, { instanceId: 'web-1' }));
    await a.stop('web-1');
    // A live process (own group) standing in for one that reused a recorded pid.
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const otherPid = other.pid ?? 0;
    log.own(otherPid);
    const reused = {
      ...status.record,
      instanceId: 'web-2',
      handle: { ...status.record.handle, pid: otherPid, pgid: otherPid, pidStartTicks: 1 },
    };

    const b = newRuntime();
    const result = await b.adopt([
      { spec: status.spec, record: status.record },
      { spec: { ...status.spec, instanceId: 'web-2' }, record: reused },
    ]);

    expect(result).toEqual({ adopted: [], lost: ['web-1', 'web-2'] });
    expect(b.list()).toHaveLength(0);
    expect(isGroupAlive(otherPid)).toBe(true);
    expect(log.of('instance.adopted')).toHaveLength(0);
  });

  it('describes only its own records, and reports one another runtime made as lost', async () => {
    const a = newRuntime();
    const status = await a.start(helloSpec(hello, { instanceId: 'web-1' }));
    const foreign = { ...status.record, instanceId: 'web-2', handle: { kind: 'kubernetes' } };
    expect(a.describe(status.record)).toEqual({ pid: localHandleOf(status.record).pid });
    expect(a.describe(foreign)).toEqual({});
    await a.detach();

    const b = newRuntime();
    const result = await b.adopt([
      { spec: status.spec, record: status.record },
      { spec: { ...status.spec, instanceId: 'web-2' }, record: foreign },
    ]);

    expect(result).toEqual({ adopted: ['web-1'], lost: ['web-2'] });
    expect(b.list().map((s) => s.spec.instanceId)).toEqual(['web-1']);
    await b.stop('web-1');
  });

  it('kills what is left of a lost instance whose shell died but whose server lives on', async () => {
    const a = newRuntime();
    const spec = helloSpec(hello, {
      instanceId: 'web-1',
      command: ['/bin/sh', '-c', 'node server.js; true'],
    });
    const status = await a.start(spec);
    await log.waitFor('instance.ready', 'web-1');
    await a.detach();
    process.kill(localHandleOf(status.record).pid, 'SIGKILL'); // the shell only: node lives on in the group
    await sleep(200);
    expect(isGroupAlive(localHandleOf(status.record).pgid)).toBe(true);

    const b = newRuntime();
    const result = await b.adopt([{ spec, record: status.record }]);

    expect(result.lost).toEqual(['web-1']);
    expect(isGroupAlive(localHandleOf(status.record).pgid)).toBe(false);
  });

  it.each([
    ['with exec', 'exec node server.js'],
    ['without exec', 'node server.js'],
    ['with the server in a subshell', 'node server.js; echo done'],
  ])('stops a shell-string command %s without leaving a process behind', async (_name, line) => {
    const runtime = newRuntime();
    const status = await runtime.start(
      helloSpec(hello, {
        instanceId: 'web-1',
        command: ['/bin/sh', '-c', line],
        drainTimeoutMs: 20_000,
      }),
    );
    await log.waitFor('instance.ready', 'web-1');
    expect((await requestJson(status.record.port)).status).toBe(200);

    await runtime.stop('web-1');

    expect(log.of('instance.stopped', 'web-1')[0]?.killed).toBe(false);
    expect(isGroupAlive(localHandleOf(status.record).pgid)).toBe(false);
    const logText = (await runtime.logs('web-1', 50)).join('\n');
    expect(log.of('instance.crashed'), logText).toHaveLength(0);
  });

  it('refuses a second start of the same instance id and a command that does not exist', async () => {
    const runtime = newRuntime();
    await runtime.start(helloSpec(hello, { instanceId: 'web-1' }));

    await expect(runtime.start(helloSpec(hello, { instanceId: 'web-1' }))).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(
      runtime.start(helloSpec(hello, { instanceId: 'web-2', command: ['/nonexistent/binary'] })),
    ).rejects.toThrow(/ENOENT/);
    expect(runtime.list().map((s) => s.spec.instanceId)).toEqual(['web-1']);
    await runtime.stop('web-1');
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot(
    'runs instances of a root server as nobody, reading a release it cannot change',
    async () => {
      const runtime = newRuntime();
      const status = await runtime.start(helloSpec(hello, { instanceId: 'web-1' }));
      await log.waitFor('instance.ready', 'web-1');

      expect(processIds(localHandleOf(status.record).pid)).toEqual({
        uid: [65534, 65534, 65534, 65534],
        gid: [65534, 65534, 65534, 65534],
      });
      const releaseDir = join(dataDir, 'releases', 'web', 'dev', hello.digest.slice(7, 23));
      const folder = statSync(releaseDir);
      expect([folder.uid, folder.gid, (folder.mode & 0o7777).toString(8)]).toEqual([
        0,
        65534,
        '750',
      ]);
      const file = statSync(join(releaseDir, 'server.js'));
      expect([file.uid, file.gid, (file.mode & 0o7777).toString(8)]).toEqual([0, 65534, '640']);
      await runtime.stop('web-1');
    },
  );

  asRoot('runs an instance as root when its spec says user root', async () => {
    const runtime = newRuntime();
    const status = await runtime.start(helloSpec(hello, { instanceId: 'web-1', user: 'root' }));
    await log.waitFor('instance.ready', 'web-1');

    expect(processIds(localHandleOf(status.record).pid)).toEqual({
      uid: [0, 0, 0, 0],
      gid: [0, 0, 0, 0],
    });
    await runtime.stop('web-1');
  });

  asRoot(
    'refuses to start, naming the folder, when the instance user cannot reach its release',
    async () => {
      const locked = join(root, `locked-${testCount}`);
      mkdirSync(locked, { mode: 0o700 });
      const runtime = newRuntime({ dataDir: join(locked, 'data') });

      await expect(runtime.start(helloSpec(hello, { instanceId: 'web-1' }))).rejects.toThrow(
        `instances run as nobody (uid 65534), who cannot reach ${locked} (mode 0700`,
      );
      await expect(
        runtime.start(helloSpec(hello, { instanceId: 'web-2', user: 'no-such-user' })),
      ).rejects.toThrow('runtime.local.user "no-such-user" is not a user of this machine');
      expect(runtime.list()).toEqual([]);
    },
  );

  it('prunes releases except the kept ones and those in use', async () => {
    const other = await artifact('other', { version: '2.0.0' });
    const third = await artifact('third', { version: '3.0.0' });
    const runtime = newRuntime();
    await runtime.start(helloSpec(hello, { instanceId: 'web-1' }));
    await runtime.start(helloSpec(other, { instanceId: 'web-2' }));
    await runtime.start(helloSpec(third, { instanceId: 'web-3' }));
    await runtime.stop('web-2');
    await runtime.stop('web-3');

    const removed = await runtime.pruneReleases('web', 'dev', [third.digest]);

    expect(removed).toEqual([other.digest.slice(7, 23)]);
    const releases = join(dataDir, 'releases', 'web', 'dev');
    expect(existsSync(join(releases, hello.digest.slice(7, 23)))).toBe(true);
    expect(existsSync(join(releases, third.digest.slice(7, 23)))).toBe(true);
    await runtime.stop('web-1');
  });
});

const cgroupProbe = openCgroupBase(runtimeKey(`/probe-${process.pid}`));

describe.each([
  ['in a cgroup', true],
  ['tracked through /proc', false],
])('LocalRuntime with detached children, %s', (_mode, cgroups) => {
  let tag: string;
  beforeEach(() => {
    tag = `t${testCount}-${process.pid}`;
  });
  afterEach(() => killTagged(tag));
  const maybe = cgroups && !cgroupProbe ? it.skip : it;

  maybe('stops every process the instance started, also those detached with setsid', async () => {
    const runtime = newRuntime({ cgroups });
    const line = 'setsid sleep 300 & (setsid sleep 301 &); exec node server.js';
    await runtime.start(
      helloSpec(hello, {
        instanceId: 'web-1',
        command: ['/bin/sh', '-c', line],
        env: { TEST_TAG: tag },
      }),
    );
    await log.waitFor('instance.ready', 'web-1');
    expect(taggedProcesses(tag)).toHaveLength(3);

    await runtime.stop('web-1');

    expect(taggedProcesses(tag)).toEqual([]);
  });

  maybe('a later runtime kills the detached children of instances it does not adopt', async () => {
    const a = newRuntime({ cgroups });
    const line = 'setsid sleep 300 >/dev/null 2>&1 & exec node server.js';
    const spec = (instanceId: string) =>
      helloSpec(hello, { instanceId, command: ['/bin/sh', '-c', line], env: { TEST_TAG: tag } });
    const lost = await a.start(spec('web-1'));
    await a.start(spec('web-2'));
    await log.waitFor('instance.ready', 'web-1');
    await log.waitFor('instance.ready', 'web-2');
    await a.detach();
    expect(taggedProcesses(tag)).toHaveLength(4);
    process.kill(localHandleOf(lost.record).pid, 'SIGKILL'); // web-1's own process dies, its child lives on
    while (isLiveProcess(localHandleOf(lost.record).pid)) await sleep(20);

    const b = newRuntime({ cgroups });
    // web-1's record is lost; web-2 has none (a server killed between spawn and record).
    const result = await b.adopt([{ spec: lost.spec, record: lost.record }]);

    expect(result).toEqual({ adopted: [], lost: ['web-1'] });
    const deadline = Date.now() + 10_000;
    while (taggedProcesses(tag).length > 0 && Date.now() < deadline) await sleep(50);
    expect(taggedProcesses(tag)).toEqual([]);
  });

  maybe('kills a detached child holding the port when the process it came from exits', async () => {
    const runtime = newRuntime({ cgroups, backoff: { initialMs: 100 } });
    const status = await runtime.start(
      helloSpec(hello, {
        instanceId: 'web-1',
        command: ['/bin/sh', '-c', 'setsid node server.js & sleep 1.5'],
        env: { TEST_TAG: tag },
      }),
    );
    await log.waitFor('instance.ready', 'web-1');
    const detached = (await requestJson(status.record.port)).body.pid as number;
    expect(detached).not.toBe(localHandleOf(status.record).pid);

    await log.waitFor('instance.crashed', 'web-1');
    const deadline = Date.now() + 10_000;
    while (isLiveProcess(detached) && Date.now() < deadline) await sleep(50);

    expect(isLiveProcess(detached)).toBe(false);
    await log.waitFor('instance.ready', 'web-1', 2);
    expect((await requestJson(status.record.port)).body.pid).not.toBe(detached);
    await runtime.stop('web-1');
    expect(taggedProcesses(tag)).toEqual([]);
  });

  maybe('is not ready while only a detached child answers for a process that died', async () => {
    const a = newRuntime({ cgroups });
    const spec = helloSpec(hello, {
      instanceId: 'web-1',
      command: ['/bin/sh', '-c', 'setsid node server.js & exec sleep 300'],
      env: { TEST_TAG: tag },
    });
    const status = await a.start(spec);
    await log.waitFor('instance.ready', 'web-1');
    await a.detach();

    // The adoption poll is slow on purpose: only readiness can notice the death in time.
    const b = newRuntime({ cgroups, adoptedPollMs: 60_000 });
    const readiness = { ...fastReadiness, initialDelayMs: 500 };
    await b.adopt([{ spec: { ...spec, readiness }, record: status.record }]);
    process.kill(localHandleOf(status.record).pid, 'SIGKILL');
    await sleep(1500);

    expect((await requestJson(status.record.port)).status).toBe(200); // the child answers
    expect(log.of('instance.ready', 'web-1')).toHaveLength(1); // a's only
    expect(b.get('web-1')?.phase).toBe('starting');
    await b.stop('web-1');
    expect(taggedProcesses(tag)).toEqual([]);
  });
});
