import type { InstanceRuntime } from '../instances/instance-runtime.js';
import type { StoredInstance } from '../instances/instance.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { RoutingTable, TrafficRouter } from '../routing/traffic-router.js';
import { FerryError } from '../../errors/ferry-error.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import type { DeploymentStore } from './deployment-store.js';
import type { StopStore } from './stop-store.js';
import { twoVersionPhases, type Deployment } from './domain/deployment.js';
import type { RolloutRouting } from './domain/rollout-plan.js';
import { rolloutTarget } from './domain/rollout-target.js';
import { routingTableFor, twoVersionTables } from './routing-table-for.js';
import { listenerKinds } from '../routing/traffic-router.js';
import { isBaselineInstance } from './domain/rollout-steps.js';

/** The split the planner chose for a two-version rollout, and which digest is which set. */
export interface TwoVersionRouting {
  readonly routing: RolloutRouting;
  readonly stableDigest: string;
  readonly canaryDigest: string;
}

type Scope = { readonly service: string; readonly environment: string };

/** A listener the router could not open: where, and why (the holder of the port, if known). */
export interface RouteFailure {
  readonly listen: { readonly host: string; readonly port: number };
  readonly message: string;
}

/** How long a listener that failed to open is left before the next attempt. */
const retryListenMs = 2_000;

/**
 * Keeps the router's tables in line with state: every ready instance that is not leaving, split
 * the way the planner last said for a canary or blue-green. Syncs of one service/environment run
 * one after the other and each reads fresh state, so an older table never wins.
 */
export class RouterSync {
  private readonly queue = new KeyedQueue();
  private readonly applied = new Map<string, string>();
  private readonly routings = new Map<string, TwoVersionRouting & { deploymentId: string }>();
  /** Instances leaving rotation: never put back into a table, whatever the store says. */
  private readonly excluded = new Set<string>();
  /** Preview listeners this process has closed once (or opened) since it started. */
  private readonly previewSettled = new Set<string>();
  /** Listeners that failed to open, by `service/environment/listener`. */
  private readonly failures = new Map<string, RouteFailure & { at: number }>();

  constructor(
    private readonly deps: {
      readonly deployments: DeploymentStore;
      readonly instances: InstanceStore;
      /** A stopped service's listeners are closed and stay closed, whatever its instances do. */
      readonly stops: StopStore;
      readonly runtime: InstanceRuntime;
      readonly router: TrafficRouter;
      /** Whether a ready instance may take traffic (its smoke checks passed). Default yes. */
      readonly admits?: (instance: StoredInstance, latest: Deployment) => boolean;
    },
  ) {}

  sync(scope: Scope): Promise<void> {
    return this.queue.run(keyOf(scope), () => this.apply(scope));
  }

  remember(deployment: Deployment, routing: TwoVersionRouting): void {
    this.routings.set(keyOf(deployment), { ...routing, deploymentId: deployment.id });
  }

  forget(scope: Scope): void {
    this.routings.delete(keyOf(scope));
  }

  routingOf(deployment: Deployment): RolloutRouting | undefined {
    const known = this.routings.get(keyOf(deployment));
    return known?.deploymentId === deployment.id ? known.routing : undefined;
  }

  /**
   * Why a listener of a service/environment is not open, if the router could not open it (its
   * port is taken): the table is kept and tried again, but no traffic flows meanwhile.
   */
  routeFailure(scope: Scope): RouteFailure | undefined {
    for (const listener of ['main', 'preview']) {
      const failure = this.failures.get(`${keyOf(scope)}/${listener}`);
      if (failure) return { listen: failure.listen, message: failure.message };
    }
    return undefined;
  }

  exclude(instanceId: string): void {
    this.excluded.add(instanceId);
  }

  include(instanceId: string): void {
    this.excluded.delete(instanceId);
  }

  private async apply(scope: Scope): Promise<void> {
    const { deployments, instances, runtime, router } = this.deps;
    const latest = (await deployments.list(scope, 1))[0];
    if (!latest) return;
    if (await this.deps.stops.get(scope)) return this.close(scope);
    const ready = (await instances.listLive(scope)).filter((i) => {
      const status = runtime.get(i.id);
      return (
        i.intent === 'running' &&
        !this.excluded.has(i.id) &&
        status?.phase === 'ready' &&
        (this.deps.admits?.(i, latest) ?? true)
      );
    });
    // Where the runtime says the instance is reached, whatever runs it.
    const upstream = (i: StoredInstance) => {
      const { host, port } = runtime.get(i.id)!.record;
      return { id: i.id, host, port, version: i.version };
    };
    const twoVersions = this.routings.get(keyOf(latest));
    let tables: { main: RoutingTable; preview: RoutingTable | null };
    if (twoVersions?.deploymentId === latest.id) {
      // Baseline instances run the stable artifact but were started for this deployment.
      const isBaseline = (i: StoredInstance) =>
        isBaselineInstance(i, latest.id, twoVersions.stableDigest);
      const set = (digest: string) =>
        ready.filter((i) => i.artifactDigest === digest && !isBaseline(i)).map(upstream);
      tables = twoVersionTables(
        latest,
        twoVersions.routing,
        set(twoVersions.stableDigest),
        set(twoVersions.canaryDigest),
        ready.filter(isBaseline).map(upstream),
      );
    } else if (latest.rollout && latest.previousId && twoVersionPhases.includes(latest.phase)) {
      return; // A two-version rollout after a restart: wait for the planner's split.
    } else {
      const previous = latest.previousId ? await deployments.get(latest.previousId) : undefined;
      const spec = rolloutTarget(latest, previous)?.spec;
      tables = { main: routingTableFor(latest, ready.map(upstream), spec), preview: null };
    }
    await this.applyIfChanged(tables.main);
    const previewKey = `${keyOf(latest)}/preview`;
    if (tables.preview) await this.applyIfChanged(tables.preview);
    else this.failures.delete(previewKey);
    // A router that outlives a server may still hold a preview another server opened: the first
    // sync that wants none closes it, whether this process opened it or not.
    if (!tables.preview && (this.applied.has(previewKey) || !this.previewSettled.has(previewKey))) {
      await router.remove(latest.service, latest.environment, 'preview');
      this.applied.delete(previewKey);
      this.previewSettled.add(previewKey);
    }
  }

  /** Closes every listener of a service/environment; the next table opens them again. */
  private async close(scope: Scope): Promise<void> {
    for (const listener of listenerKinds) {
      await this.deps.router.remove(scope.service, scope.environment, listener);
      this.applied.delete(`${keyOf(scope)}/${listener}`);
      this.failures.delete(`${keyOf(scope)}/${listener}`);
    }
  }

  /**
   * Applies a table that changed. A listener that cannot open (its port is taken) does not throw:
   * it is recorded for {@link routeFailure}, so the controller can fail the rollout and carry on
   * reconciling, and tried again after a while.
   */
  private async applyIfChanged(table: RoutingTable): Promise<void> {
    const key = `${table.service}/${table.environment}/${table.listener ?? 'main'}`;
    const signature = JSON.stringify(table);
    if (this.applied.get(key) === signature) return;
    const failed = this.failures.get(key);
    const sameListen = failed && JSON.stringify(failed.listen) === JSON.stringify(table.listen);
    if (sameListen && Date.now() - failed.at < retryListenMs) return;
    try {
      await this.deps.router.apply(table);
    } catch (error) {
      if (!(error instanceof FerryError) || error.extra['listen'] === undefined) throw error;
      this.failures.set(key, { listen: table.listen, message: error.message, at: Date.now() });
      return;
    }
    this.failures.delete(key);
    this.applied.set(key, signature);
  }
}

function keyOf(scope: Scope): string {
  return `${scope.service}/${scope.environment}`;
}
