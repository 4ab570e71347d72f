import type { InstanceRuntime } from '../instances/instance-runtime.js';
import type { StoredInstance } from '../instances/instance.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { RoutingTable, TrafficRouter } from '../routing/traffic-router.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import type { DeploymentStore } from './deployment-store.js';
import { twoVersionPhases, type Deployment } from './domain/deployment.js';
import type { RolloutRouting } from './domain/rollout-plan.js';
import { rolloutTarget } from './domain/rollout-target.js';
import { routingTableFor, twoVersionTables } from './routing-table-for.js';
import { isBaselineInstance } from './domain/rollout-steps.js';

/** The split the planner chose for a two-version rollout, and which digest is which set. */
export interface TwoVersionRouting {
  readonly routing: RolloutRouting;
  readonly stableDigest: string;
  readonly canaryDigest: string;
}

type Scope = { readonly service: string; readonly environment: string };

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

  constructor(
    private readonly deps: {
      readonly deployments: DeploymentStore;
      readonly instances: InstanceStore;
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
    const ready = (await instances.listLive(scope)).filter((i) => {
      const status = runtime.get(i.id);
      return (
        i.intent === 'running' &&
        !this.excluded.has(i.id) &&
        status?.phase === 'ready' &&
        (this.deps.admits?.(i, latest) ?? true)
      );
    });
    const upstream = (i: StoredInstance) => ({
      id: i.id,
      host: '127.0.0.1',
      port: runtime.get(i.id)!.record.port,
      version: i.version,
    });
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
    else if (this.applied.has(previewKey)) {
      await router.remove(latest.service, latest.environment, 'preview');
      this.applied.delete(previewKey);
    }
  }

  private async applyIfChanged(table: RoutingTable): Promise<void> {
    const key = `${table.service}/${table.environment}/${table.listener ?? 'main'}`;
    const signature = JSON.stringify(table);
    if (this.applied.get(key) === signature) return;
    await this.deps.router.apply(table);
    this.applied.set(key, signature);
  }
}

function keyOf(scope: Scope): string {
  return `${scope.service}/${scope.environment}`;
}
