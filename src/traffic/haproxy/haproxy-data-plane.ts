import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { haproxyCapabilities } from '../../features/routing/data-plane-capabilities.js';
import type {
  ListenerFigures,
  ListenerKind,
  RoutingTable,
  TrafficRouter,
} from '../../features/routing/traffic-router.js';
import { noFigures } from '../../features/routing/traffic-router.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import { allocatePort } from '../../runtime/local/free-port.js';
import { describePortHolder } from '../router/port-holder.js';
import { CounterLedger } from './counter-ledger.js';
import { renderHaproxyConfig, type HaproxySettings } from './haproxy-config.js';
import { haproxyPaths } from './haproxy-paths.js';
import { HaproxyProcess, defaultHaproxyBinary } from './haproxy-process.js';
import { parseStat, sendCommand, type StatRow } from './haproxy-socket.js';
import { freeSlots, proxyName, type ListenerState } from './listener-state.js';
import { addressFree, clashes, listenConflict, sameAddress } from './listen-check.js';
import { initialSlots, planSlots, reclaimIdle, slotOf } from './plan-slots.js';
import { readPlaneState, writeFileAtomic } from './plane-state-file.js';
import { resyncCommands, runtimeCommands } from './runtime-commands.js';
import { computeWeights } from './track-weights.js';

export interface HaproxyDataPlaneOptions {
  /** Its folder: `<data>/haproxy`, holding haproxy.cfg, the sockets, the pidfile and the state. */
  readonly dir: string;
  readonly settings: HaproxySettings;
  /** Default `/usr/sbin/haproxy`. */
  readonly binary?: string;
  /** How often a drain looks at the server's sessions. Default 50 ms. */
  readonly pollMs?: number;
}

/**
 * Ferry's second data plane: an HAProxy (2.6+) that Ferry starts in master-worker mode, in its
 * own process group, so traffic flows while `ferry server` is down; a restarted server adopts
 * it. One frontend and one backend per listener, with server slots allocated ahead: weights,
 * addresses and upstreams joining or leaving go over the Runtime API without a reload; a new,
 * moved or removed listener (or a backend outgrowing its slots) rewrites haproxy.cfg and
 * reloads, and the new worker takes the listening sockets over.
 *
 * What it does and does not do is {@link haproxyCapabilities}; `ferry validate` rejects the rest.
 */
export class HaproxyDataPlane implements TrafficRouter {
  readonly capabilities = haproxyCapabilities;
  readonly paths;
  private readonly listeners = new Map<string, ListenerState>();
  private readonly ledgers = new Map<string, CounterLedger>();
  private readonly queue = new KeyedQueue();
  private readonly started: Promise<HaproxyProcess>;
  private readonly pollMs: number;

  constructor(private readonly options: HaproxyDataPlaneOptions) {
    this.paths = haproxyPaths(options.dir);
    this.pollMs = options.pollMs ?? 50;
    this.started = this.start();
    // A failed start is reported by the first call that needs HAProxy.
    this.started.catch(() => undefined);
  }

  /** Resolves once HAProxy runs (started or adopted); rejects when it cannot start. */
  ready(): Promise<void> {
    return this.started.then(() => undefined);
  }

  apply(table: RoutingTable): Promise<void> {
    return this.serially(async (process) => {
      const proxy = proxyName(table.service, table.environment, table.listener);
      const current = this.listeners.get(proxy);
      const bind = await this.bindFor(table, current);
      const weighted = computeWeights(table);
      let { slots, grew } = planSlots(current?.slots ?? freeSlots(1, initialSlots), weighted);
      if (grew && current !== undefined) {
        // Before growing (a reload), take back slots of leavers nobody drained that serve nothing.
        const rows = await this.stat();
        const idle = (name: string) =>
          (rows.find((r) => r.proxy === proxy && r.server === name)?.current ?? 0) === 0;
        ({ slots, grew } = planSlots(reclaimIdle(current.slots, idle), weighted));
      }
      const next: ListenerState = {
        service: table.service,
        environment: table.environment,
        listener: table.listener ?? 'main',
        proxy,
        bind,
        requested: table.listen,
        slots,
      };
      const moved = current === undefined || !sameAddress(current.bind, bind);
      if (moved || grew) {
        await this.reloadWith(process, () => this.listeners.set(proxy, next), table);
        return;
      }
      const commands = runtimeCommands(proxy, current.slots, slots);
      if (commands.length === 0) return;
      this.ledgerOf(proxy).follow(proxy, slots, await this.stat());
      this.listeners.set(proxy, next);
      await this.save();
      await this.runtime(commands);
    });
  }

  async drain(upstreamId: string, timeoutMs: number, tunnelsMs = timeoutMs): Promise<void> {
    await this.started;
    const holder = [...this.listeners.values()].find((l) => slotOf(l.slots, upstreamId));
    if (holder === undefined) return;
    const { proxy } = holder;
    const name = slotOf(holder.slots, upstreamId)!.name;
    const started = Date.now();
    let cut = false;
    for (;;) {
      // A leaver's idle slot may be taken back by a table meanwhile: then its drain is over.
      const now = this.listeners.get(proxy);
      if (now === undefined || slotOf(now.slots, upstreamId)?.name !== name) return;
      const rows = await this.stat();
      const sessions = rows.find((r) => r.proxy === proxy && r.server === name)?.current ?? 0;
      const elapsed = Date.now() - started;
      if (sessions === 0 || elapsed >= timeoutMs) break;
      // Tunnels (WebSocket) hold a session for as long as they live: cut them after `tunnelsMs`.
      if (!cut && elapsed >= Math.min(tunnelsMs, timeoutMs)) {
        cut = true;
        await this.runtime([`shutdown sessions server ${proxy}/${name}`]);
      }
      await sleep(this.pollMs);
    }
    await this.serially(async () => {
      const listener = this.listeners.get(proxy);
      const slot = listener && slotOf(listener.slots, upstreamId);
      if (!listener || !slot?.leaving) return;
      await this.runtime([`shutdown sessions server ${proxy}/${slot.name}`]);
      const slots = listener.slots.map((s) =>
        s === slot ? { ...s, upstream: null, track: null, weight: 0, leaving: false } : s,
      );
      this.ledgerOf(proxy).follow(proxy, slots, await this.stat());
      this.listeners.set(proxy, { ...listener, slots });
      await this.save();
      await this.runtime(runtimeCommands(proxy, listener.slots, slots));
    });
  }

  remove(service: string, environment: string, listener?: ListenerKind): Promise<void> {
    return this.serially(async (process) => {
      const proxy = proxyName(service, environment, listener);
      if (!this.listeners.has(proxy)) return;
      await this.reloadWith(process, () => this.listeners.delete(proxy));
      this.ledgers.delete(proxy);
      await this.save();
    });
  }

  /** Leaves HAProxy running, serving the last tables, for the next server to adopt. */
  async close(): Promise<void> {
    await this.queue.run('plane', async () => undefined);
  }

  /** Stops HAProxy and forgets its listeners: for tests, and for a server that retires it. */
  async stop(): Promise<void> {
    const process = await this.started.catch(() => undefined);
    await this.queue.run('plane', async () => {
      await process?.stop();
      this.listeners.clear();
      this.ledgers.clear();
      await this.save();
    });
  }

  /** What a listener's tracks served, from HAProxy's per-server counters (see {@link CounterLedger}). */
  async figures(
    service: string,
    environment: string,
    listener?: ListenerKind,
  ): Promise<ListenerFigures> {
    await this.started;
    const proxy = proxyName(service, environment, listener);
    const state = this.listeners.get(proxy);
    if (state === undefined) return noFigures;
    return this.ledgerOf(proxy).figures(proxy, state.slots, await this.stat());
  }

  /** Where a listener's frontend binds; a table asking for port 0 gets a free port. */
  address(service: string, environment: string, listener?: ListenerKind) {
    return this.listeners.get(proxyName(service, environment, listener))?.bind;
  }

  /** Whether this plane holds the upstream (in a table, or still draining). */
  holds(upstreamId: string): boolean {
    return [...this.listeners.values()].some((l) => slotOf(l.slots, upstreamId) !== undefined);
  }

  private async start(): Promise<HaproxyProcess> {
    await mkdir(this.paths.dir, { recursive: true, mode: 0o700 });
    const running = await HaproxyProcess.find(this.paths);
    if (running !== undefined) {
      const saved = await readPlaneState(this.paths.state);
      for (const { ledger, ...listener } of saved?.listeners ?? []) {
        this.listeners.set(listener.proxy, listener);
        this.ledgers.set(listener.proxy, new CounterLedger(ledger));
      }
      // The state is saved before the Runtime API is told: say it all again.
      const commands = [...this.listeners.values()].flatMap((l) =>
        resyncCommands(l.proxy, l.slots),
      );
      await this.runtime(commands);
      return running;
    }
    // A fresh HAProxy serves nothing until the controller applies its tables again.
    await this.save();
    const { process } = await HaproxyProcess.startOrAdopt(
      this.paths,
      this.options.binary ?? defaultHaproxyBinary,
    );
    return process;
  }

  /** Changes the listeners, writes the config and reloads; on a refusal puts everything back. */
  private async reloadWith(
    process: HaproxyProcess,
    change: () => void,
    table?: RoutingTable,
  ): Promise<void> {
    const rows = await this.stat();
    const before = new Map(this.listeners);
    change();
    try {
      await this.save();
      await process.reload();
    } catch (error) {
      this.listeners.clear();
      for (const [key, value] of before) this.listeners.set(key, value);
      await this.save();
      if (table === undefined) throw error;
      throw listenConflict(table, error);
    }
    for (const [proxy, listener] of this.listeners) {
      const ledger = this.ledgerOf(proxy);
      if (before.has(proxy)) ledger.reloading(proxy, rows);
      ledger.follow(proxy, listener.slots, []);
    }
    await this.save();
  }

  private async bindFor(table: RoutingTable, current: ListenerState | undefined) {
    if (current !== undefined && sameAddress(current.requested, table.listen)) return current.bind;
    const { host, port } = table.listen;
    const bind = { host, port: port === 0 ? await allocatePort(host) : port };
    const proxy = proxyName(table.service, table.environment, table.listener);
    const taken = [...this.listeners.values()].find(
      (l) => l.proxy !== proxy && clashes(l.bind, bind),
    );
    if (taken !== undefined) {
      throw listenConflict(
        table,
        `held by ${taken.service}/${taken.environment} (${taken.listener})`,
      );
    }
    if (!(await addressFree(bind))) {
      throw listenConflict(table, `port ${bind.port} is held ${describePortHolder(bind.port)}`);
    }
    return bind;
  }

  private ledgerOf(proxy: string): CounterLedger {
    let ledger = this.ledgers.get(proxy);
    if (ledger === undefined) this.ledgers.set(proxy, (ledger = new CounterLedger()));
    return ledger;
  }

  private async save(): Promise<void> {
    const listeners = [...this.listeners.values()];
    await writeFileAtomic(
      this.paths.config,
      renderHaproxyConfig(listeners, this.paths, this.options.settings),
    );
    const state = listeners.map((l) => ({ ...l, ledger: this.ledgerOf(l.proxy).toRecord() }));
    await writeFileAtomic(this.paths.state, `${JSON.stringify({ listeners: state })}\n`);
  }

  private async stat(): Promise<StatRow[]> {
    return parseStat(await sendCommand(this.paths.adminSocket, 'show stat'));
  }

  private async runtime(commands: readonly string[]): Promise<void> {
    if (commands.length === 0) return;
    const answer = await sendCommand(this.paths.adminSocket, commands.join(';'));
    const refused = answer
      .split('\n')
      .filter((line) => /^(No such|Invalid|Require|Unknown)/i.test(line));
    if (refused.length > 0)
      throw new Error(`haproxy refused "${commands.join(';')}": ${refused.join(' ')}`);
  }

  private serially(work: (process: HaproxyProcess) => Promise<void>): Promise<void> {
    return this.queue.run('plane', async () => work(await this.started));
  }
}
