import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../errors/ferry-error.js';
import { FakeTrafficRouter } from '../../features/routing/fake-traffic-router.js';
import { FakeTrafficSampler } from '../../features/routing/fake-traffic-sampler.js';
import { noFigures, type RoutingTable } from '../../features/routing/traffic-router.js';
import {
  routerFolder,
  routerStatePath,
  type RouterHealth,
  type RouterSettings,
  type RouterState,
} from './control-protocol.js';
import { RouterSupervisor, type RouterChannel } from './router-supervisor.js';

const settings: RouterSettings = {
  timeouts: { headersMs: 10_000, idleMs: 60_000 },
  trustedProxies: [],
  workers: 1,
};

/** A router process as the supervisor sees it through its channel: tables, health, workers. */
class FakeRouterProcess {
  readonly router = new FakeTrafficRouter();
  alive = true;
  answers = true;
  build = 'build-1';
  workers = [101];
  settingsSent: RouterSettings[] = [];
  upgrades = 0;
  constructor(readonly state: RouterState) {}

  /** The tables it serves (of web, in prod and staging). */
  tablesNow(): RoutingTable[] {
    return ['prod', 'staging'].flatMap((env) => this.router.tableOf('web', env) ?? []);
  }

  health(): RouterHealth {
    return {
      pid: this.state.pid,
      generation: 0,
      workers: this.workers,
      startedAt: this.state.startedAt,
      build: this.build,
      settings,
    };
  }
}

function channelTo(process: FakeRouterProcess): RouterChannel {
  const reachable = async () => {
    if (!process.alive || !process.answers) throw new Error('connect ECONNREFUSED');
  };
  const closed = { channel: false };
  return {
    state: process.state,
    sampler: new FakeTrafficSampler(),
    connect: async () => (await reachable(), process.health()),
    health: async () => (await reachable(), process.health()),
    apply: async (table) => (await reachable(), process.router.apply(table)),
    remove: async (s, e, l) => (await reachable(), process.router.remove(s, e, l)),
    drain: async (id, timeoutMs) => (await reachable(), process.router.drain(id, timeoutMs)),
    tables: async () => (await reachable(), process.tablesNow()),
    figures: async () => (await reachable(), noFigures),
    configure: async (s) => (await reachable(), void process.settingsSent.push(s)),
    upgrade: async () => {
      await reachable();
      process.upgrades += 1;
      process.workers = process.workers.map((pid) => pid + 1);
      return process.workers;
    },
    metricsText: async () => (await reachable(), 'ferry_router_requests_total 1\n'),
    close: async () => void (closed.channel = true),
  };
}

/** The pid of a process that has exited: no process answers to it. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

function table(port: number): RoutingTable {
  return {
    service: 'web',
    environment: 'prod',
    listen: { host: '127.0.0.1', port },
    backends: { stable: [{ id: 'web-1', host: '127.0.0.1', port: 9001, version: 'v1' }] },
  };
}

let dataDir: string;
let spawned: FakeRouterProcess[];
let supervisor: RouterSupervisor | undefined;
const processes = new Map<number, FakeRouterProcess>();

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-supervisor-'));
  spawned = [];
  processes.clear();
});
afterEach(async () => {
  await supervisor?.close();
  supervisor = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

function writeState(state: RouterState): void {
  mkdirSync(routerFolder(dataDir), { recursive: true });
  writeFileSync(routerStatePath(dataDir), JSON.stringify(state));
}

function stateOf(pid: number): RouterState {
  return {
    pid,
    control: `http://127.0.0.1:${40000 + (pid % 1000)}`,
    token: 'x'.repeat(32),
    startedAt: new Date(0).toISOString(),
  };
}

function start(options: { build?: string; upgrade?: boolean; alivePid?: () => number } = {}) {
  return RouterSupervisor.start({
    dataDir,
    settings,
    logger: pino({ level: 'silent' }),
    ...(options.build === undefined ? {} : { build: options.build }),
    upgrade: options.upgrade ?? false,
    // Spawned "routers" get the pid of this test process, which is alive.
    spawn: async () => {
      const child = new FakeRouterProcess(stateOf(options.alivePid?.() ?? process.pid));
      spawned.push(child);
      processes.set(child.state.pid, child);
      writeState(child.state);
      return child.state;
    },
    channel: (state) => channelTo(processes.get(state.pid) ?? new FakeRouterProcess(state)),
    checkEveryMs: 60_000,
    adoptWaitMs: 0,
  });
}

describe('RouterSupervisor', () => {
  it('spawns a router when router.json names none', async () => {
    supervisor = await start();
    expect(supervisor.origin).toBe('spawned');
    expect(spawned).toHaveLength(1);
  });

  it('spawns a router when the one router.json names is dead', async () => {
    const dead = new FakeRouterProcess(stateOf(deadPid()));
    processes.set(dead.state.pid, dead);
    writeState(dead.state);
    supervisor = await start();
    expect(supervisor.origin).toBe('spawned');
    expect(spawned).toHaveLength(1);
  });

  it('adopts a live router that answers, sends it the settings, and leaves its workers alone', async () => {
    const running = new FakeRouterProcess(stateOf(process.pid));
    processes.set(running.state.pid, running);
    writeState(running.state);
    supervisor = await start({ build: 'build-1' });
    expect(supervisor.origin).toBe('adopted');
    expect(spawned).toEqual([]);
    expect(running.settingsSent).toEqual([settings]);
    expect(running.upgrades).toBe(0);
  });

  it('upgrades an adopted router running another build, or when asked', async () => {
    const running = new FakeRouterProcess(stateOf(process.pid));
    processes.set(running.state.pid, running);
    writeState(running.state);
    supervisor = await start({ build: 'build-2' });
    expect(running.upgrades).toBe(1);
    await supervisor.close();
    supervisor = await start({ build: 'build-1', upgrade: true });
    expect(running.upgrades).toBe(2);
  });

  it('replaces a router that died and sends the new one every table it applied', async () => {
    let pid = deadPid();
    supervisor = await start({ alivePid: () => pid });
    await supervisor.apply(table(8080));
    await supervisor.apply({ ...table(8081), environment: 'staging' });
    await supervisor.remove('web', 'staging');
    // The first router's process is gone (its pid names no process).
    spawned[0]!.alive = false;
    pid = process.pid;
    await supervisor.check();
    expect(spawned).toHaveLength(2);
    expect(spawned[1]!.tablesNow()).toEqual([table(8080)]);
    // Calls go to the new router.
    await supervisor.apply(table(8082));
    expect(spawned[1]!.tablesNow()).toEqual([table(8082)]);
  });

  it('leaves a router that is alive but does not answer in place', async () => {
    supervisor = await start();
    spawned[0]!.answers = false;
    await supervisor.check();
    expect(spawned).toHaveLength(1);
  });

  it('lets go of the channel on close: the router keeps its tables and keeps running', async () => {
    supervisor = await start();
    await supervisor.apply(table(8080));
    await supervisor.close();
    supervisor = undefined;
    expect(spawned[0]!.alive).toBe(true);
    expect(spawned[0]!.tablesNow()).toEqual([table(8080)]);
  });

  it('ends a drain it cannot reach the router for, instead of failing it', async () => {
    supervisor = await start();
    spawned[0]!.answers = false;
    await expect(supervisor.drain('web-1', 1_000)).resolves.toBeUndefined();
  });
});

describe('RouterSupervisor.apply', () => {
  it('names the listen address of a table the router could not open, so the route failure is known', async () => {
    supervisor = await start();
    spawned[0]!.router.failNextApply(new FerryError('conflict', 'cannot listen on 127.0.0.1:8080'));
    const failure = await supervisor.apply(table(8080)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FerryError);
    expect((failure as FerryError).extra['listen']).toEqual({ host: '127.0.0.1', port: 8080 });
  });
});
