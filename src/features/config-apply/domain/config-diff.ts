import type { FerryConfig, ServiceConfig } from '../../../config/ferry-config.js';
import { effectiveService } from '../../deployments/domain/effective-service.js';
import { changedPaths, specChanges } from '../../deployments/domain/spec-changes.js';

/** A service in an environment: where a route puts it. */
export interface ConfigTarget {
  readonly service: string;
  readonly environment: string;
}

/** What changed for one service in one environment, split as `specChanges` splits it. */
export interface TargetChange extends ConfigTarget {
  /** Fields that need new instances: replicas, runtime, health, this environment's route. */
  readonly rollout: readonly string[];
  /** Fields the next deployment picks up (strategy, analysis, ...). */
  readonly next: readonly string[];
}

/** A change the running server cannot take without a restart, with what to do instead. */
export interface RestartNeeded {
  readonly path: string;
  readonly message: string;
}

/** The difference between the configuration the server runs and a new one. */
export interface ConfigDiff {
  readonly services: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    /** Services in both whose settings differ, with the fields (before any per-environment view). */
    readonly changed: readonly { readonly name: string; readonly fields: readonly string[] }[];
  };
  readonly environments: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly { readonly name: string; readonly fields: readonly string[] }[];
  };
  /** Service/environment pairs that gain a route. */
  readonly targetsAdded: readonly ConfigTarget[];
  /** Pairs that lose theirs: the service is removed, the environment, or the route. */
  readonly targetsRemoved: readonly ConfigTarget[];
  readonly targetsChanged: readonly TargetChange[];
  readonly restartNeeded: readonly RestartNeeded[];
}

/** The spec a service runs with in an environment: its `overrides` for it applied. */
export function specOf(config: FerryConfig, service: string, environment: string): ServiceConfig {
  return effectiveService(config.services[service]!, environment);
}

/**
 * Compares two configurations, service by service and environment by environment. Pure: what
 * runs where is the caller's business (see ConfigApplyService).
 *
 * @example diffConfig(old, next).targetsChanged // [{ service: 'web', environment: 'prod', rollout: ['replicas'], next: [] }]
 */
export function diffConfig(previous: FerryConfig, next: FerryConfig): ConfigDiff {
  const before = targetsOf(previous);
  const after = targetsOf(next);
  const has = (list: readonly ConfigTarget[], t: ConfigTarget) =>
    list.some((o) => o.service === t.service && o.environment === t.environment);
  const targetsChanged: TargetChange[] = [];
  for (const t of after.filter((a) => has(before, a))) {
    const changes = specChanges(
      specOf(previous, t.service, t.environment),
      specOf(next, t.service, t.environment),
      t.environment,
    );
    if (changes.rollout.length + changes.next.length > 0) targetsChanged.push({ ...t, ...changes });
  }
  return {
    services: keyedDiff(previous.services, next.services),
    environments: keyedDiff(byName(previous.environments), byName(next.environments)),
    targetsAdded: after.filter((a) => !has(before, a)),
    targetsRemoved: before.filter((b) => !has(after, b)),
    targetsChanged,
    restartNeeded: restartNeeded(previous, next),
  };
}

/** Whether applying the diff changes anything at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  return (
    diff.services.added.length + diff.services.removed.length + diff.services.changed.length ===
      0 &&
    diff.environments.added.length +
      diff.environments.removed.length +
      diff.environments.changed.length ===
      0 &&
    diff.targetsAdded.length + diff.targetsRemoved.length + diff.targetsChanged.length === 0 &&
    diff.restartNeeded.length === 0
  );
}

function targetsOf(config: FerryConfig): ConfigTarget[] {
  const targets: ConfigTarget[] = [];
  for (const [service, spec] of Object.entries(config.services)) {
    for (const { name } of config.environments) {
      if (spec.routes[name]) targets.push({ service, environment: name });
    }
  }
  return targets;
}

function keyedDiff<T>(before: Readonly<Record<string, T>>, after: Readonly<Record<string, T>>) {
  const names = (r: Readonly<Record<string, T>>) => Object.keys(r);
  return {
    added: names(after).filter((n) => !Object.hasOwn(before, n)),
    removed: names(before).filter((n) => !Object.hasOwn(after, n)),
    changed: names(after)
      .filter((n) => Object.hasOwn(before, n))
      .map((name) => ({ name, fields: changedPaths(before[name], after[name]) }))
      .filter((c) => c.fields.length > 0),
  };
}

function byName<T extends { readonly name: string }>(list: readonly T[]): Record<string, T> {
  return Object.fromEntries(list.map((item) => [item.name, item]));
}

/**
 * The router's settings are the router process's own (`ferry server --upgrade` gives it new
 * ones) and an environment's data plane is chosen when the server starts: changes to either are
 * refused rather than half-applied.
 */
function restartNeeded(previous: FerryConfig, next: FerryConfig): RestartNeeded[] {
  const needed: RestartNeeded[] = changedPaths(previous.router, next.router, 'router').map(
    (path) => ({
      path,
      message: 'the router process keeps its settings: restart "ferry server" with this file',
    }),
  );
  const planeBefore = new Map(previous.environments.map((e) => [e.name, e.dataPlane]));
  for (const [index, e] of next.environments.entries()) {
    const before = planeBefore.get(e.name);
    const changed = before === undefined ? e.dataPlane !== 'ferry' : before !== e.dataPlane;
    if (changed) {
      needed.push({
        path: `environments[${index}].dataPlane`,
        message: `data planes are set up when the server starts: restart "ferry server" to move ${e.name} to ${e.dataPlane}`,
      });
    }
  }
  return needed;
}
