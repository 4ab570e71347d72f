import type { FerryConfig } from '../../config/ferry-config.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import type { MigrationSummary } from '../migrations/migration-summary.js';
import type { HealthCheck, PromotionService } from './promotion-service.js';

/** A service's migrations in an environment; null when it has no database. */
export type MigrationSummaryOf = (target: {
  readonly service: string;
  readonly environment: string;
}) => Promise<MigrationSummary | null>;

/** A deployment window in force in a cell's environment. */
export interface CellWindow {
  readonly name: string;
  readonly effect: 'block' | 'approval';
  /** When it ends (ISO-8601 UTC). */
  readonly endsAt: string;
  readonly timeZone: string;
  /** As a sentence: `prod is frozen by weekend-freeze until … (Europe/Berlin)`. */
  readonly reason: string;
}

/** Where a service's cell may be promoted next, and whether it can be now. */
export interface OnwardPromotion {
  readonly to: string;
  readonly ready: boolean;
  /** The target runs this artifact already. */
  readonly upToDate: boolean;
  /** The first reason it cannot, when it cannot. */
  readonly reason: string | null;
}

/** One service in one environment, as `ferry env` shows it. */
export interface MatrixCell {
  readonly environment: string;
  /** Null when the service has no route there: it is not deployed to that environment. */
  readonly routed: boolean;
  readonly version: string | null;
  readonly digest: string | null;
  /** When the live version became live (ISO-8601 UTC). */
  readonly since: string | null;
  /** `healthy`, `unhealthy`, `stopped`, `none` (nothing live). */
  readonly health: 'healthy' | 'unhealthy' | 'stopped' | 'none';
  /** What is unhealthy, when it is. */
  readonly detail: string | null;
  /** A rollout running there now. */
  readonly rollout: { readonly version: string; readonly phase: string } | null;
  /** Deployment windows in force there now; empty when none. */
  readonly windows: readonly CellWindow[];
  readonly onward: readonly OnwardPromotion[];
  /** Applied, pending and waiting database migrations; null without a database. */
  readonly migrations: MigrationSummary | null;
}

export interface EnvironmentMatrix {
  readonly environments: readonly string[];
  readonly services: readonly { readonly service: string; readonly cells: readonly MatrixCell[] }[];
}

/** Services × environments: what runs where, since when, how healthy, and what may move on. */
export async function environmentMatrix(
  config: FerryConfig,
  deployments: DeploymentService,
  promotions: PromotionService,
  health: HealthCheck,
  migrations: MigrationSummaryOf = async () => null,
): Promise<EnvironmentMatrix> {
  const windows = new Map(
    config.environments.map((e) => [e.name, promotions.freezesIn(e.name)] as const),
  );
  const services = [];
  for (const [service, spec] of Object.entries(config.services)) {
    const cells: MatrixCell[] = [];
    for (const environment of config.environments) {
      const name = environment.name;
      if (!spec.routes[name]) {
        cells.push(emptyCell(name));
        continue;
      }
      const target = { service, environment: name };
      const live = await deployments.live(target);
      const active = await deployments.active(target);
      const stopped = (await deployments.stopOf(target)) !== undefined;
      const detail = live && !stopped ? await health(target, live) : undefined;
      const onward = [];
      for (const next of config.environments) {
        if (next.from !== name || !spec.routes[next.name]) continue;
        const plan = await promotions.plan(service, next.name);
        onward.push({
          to: next.name,
          ready: plan.blockers.length === 0 && !plan.upToDate,
          upToDate: plan.upToDate,
          reason: plan.upToDate ? null : (plan.reasons[0] ?? null),
        });
      }
      cells.push({
        environment: name,
        routed: true,
        version: live?.version ?? null,
        digest: live?.artifactDigest ?? null,
        since: live?.finishedAt ?? null,
        health: stopped
          ? 'stopped'
          : !live
            ? 'none'
            : detail === undefined
              ? 'healthy'
              : 'unhealthy',
        detail: detail ?? null,
        rollout: active ? { version: active.version, phase: active.phase } : null,
        windows: windows.get(name) ?? [],
        onward,
        migrations: await migrations(target),
      });
    }
    services.push({ service, cells });
  }
  return { environments: config.environments.map((e) => e.name), services };
}

function emptyCell(environment: string): MatrixCell {
  return {
    environment,
    routed: false,
    version: null,
    digest: null,
    since: null,
    health: 'none',
    detail: null,
    rollout: null,
    windows: [],
    onward: [],
    migrations: null,
  };
}
