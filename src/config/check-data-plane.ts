import {
  capabilityLabels,
  dataPlaneCapabilities,
  type DataPlaneCapability,
} from '../features/routing/data-plane-capabilities.js';
import type { ConfigProblem, PathSegment } from './config-problem.js';
import { dataPlaneKinds, type DataPlaneKind } from './ferry-config.js';
import { isRecord, rawOverrides } from './raw-shape.js';

type RawMap = Readonly<Record<string, unknown>>;

/** One field of a service that needs a capability of the data plane. */
interface Need {
  readonly capability: DataPlaneCapability;
  readonly path: readonly PathSegment[];
  readonly at: 'key' | 'value';
  /** The analysis template the need comes from: an override of it replaces it. */
  readonly template?: string;
}

const latencyMetrics = new Set(['latency_p50', 'latency_p95', 'latency_p99']);

/** What the canary strategy asks of the data plane, field by field. */
function canaryNeeds(base: readonly PathSegment[], canary: RawMap): Need[] {
  const needs: Need[] = [];
  const sticky = canary.stickySession;
  if (sticky === true || isRecord(sticky)) {
    needs.push({ capability: 'stickySessions', path: [...base, 'stickySession'], at: 'key' });
  }
  if (canary.judge !== undefined) {
    needs.push({ capability: 'latencySamples', path: [...base, 'judge'], at: 'key' });
  }
  if (!Array.isArray(canary.steps)) return needs;
  canary.steps.forEach((step: unknown, index) => {
    if (!isRecord(step)) return;
    const path = [...base, 'steps', index];
    if (step.setWeight !== undefined) {
      needs.push({ capability: 'weights', path: [...path, 'setWeight'], at: 'key' });
    }
    if (step.judge !== undefined) {
      needs.push({ capability: 'latencySamples', path: [...path, 'judge'], at: 'key' });
    }
    if (isRecord(step.setMirror) && step.setMirror.percentage !== 0) {
      needs.push({ capability: 'mirroring', path: [...path, 'setMirror'], at: 'key' });
    }
    const route = step.setHeaderRoute;
    if (isRecord(route) && Array.isArray(route.match)) {
      route.match.forEach((match: unknown, at) => {
        if (!isRecord(match)) return;
        const where = [...path, 'setHeaderRoute', 'match', at];
        if (match.header !== undefined)
          needs.push({ capability: 'headerRoutes', path: [...where, 'header'], at: 'key' });
        if (match.cookie !== undefined)
          needs.push({ capability: 'cookieRoutes', path: [...where, 'cookie'], at: 'key' });
      });
    }
  });
  return needs;
}

/** Builtin latency metrics of the service's analysis templates read the data plane's percentiles. */
function analysisNeeds(base: readonly PathSegment[], analysis: unknown): Need[] {
  if (!isRecord(analysis)) return [];
  return Object.entries(analysis).flatMap(([template, body]): Need[] => {
    if (!isRecord(body) || !Array.isArray(body.metrics)) return [];
    return body.metrics.flatMap((metric: unknown, index): Need[] => {
      if (!isRecord(metric) || !isRecord(metric.provider)) return [];
      const builtin = metric.provider.builtin;
      if (!isRecord(builtin) || !latencyMetrics.has(String(builtin.metric))) return [];
      const path = [...base, 'analysis', template, 'metrics', index, 'provider', 'builtin'];
      return [
        { capability: 'latencyPercentiles', path: [...path, 'metric'], at: 'value', template },
      ];
    });
  });
}

/** The environments a service has a route (or a blue-green preview route) in. */
function routedEnvironments(service: RawMap): Set<string> {
  const names = new Set<string>();
  const add = (routes: unknown) => {
    if (isRecord(routes)) for (const env of Object.keys(routes)) names.add(env);
  };
  add(service.routes);
  if (isRecord(service.strategy) && isRecord(service.strategy.blueGreen)) {
    add(service.strategy.blueGreen.previewRoutes);
  }
  return names;
}

/** What a strategy (at `base`.strategy) and an analysis map (at `base`.analysis) need. */
function needsOf(base: readonly PathSegment[], strategy: unknown, analysis: unknown): Need[] {
  return [
    ...(isRecord(strategy) && isRecord(strategy.canary)
      ? canaryNeeds([...base, 'strategy', 'canary'], strategy.canary)
      : []),
    ...analysisNeeds(base, analysis),
  ];
}

/** The data plane of each declared environment (`ferry` when unset or malformed: the schema says so). */
function dataPlanes(raw: RawMap): Map<string, DataPlaneKind> {
  const planes = new Map<string, DataPlaneKind>();
  if (!Array.isArray(raw.environments)) return planes;
  for (const env of raw.environments as unknown[]) {
    if (!isRecord(env) || typeof env.name !== 'string') continue;
    const plane = dataPlaneKinds.find((kind) => kind === env.dataPlane) ?? 'ferry';
    planes.set(env.name, plane);
  }
  return planes;
}

/**
 * A service's strategy and analysis ask only what the data plane of every environment it is
 * routed in can do (`features/routing/data-plane-capabilities.ts`): e.g. no `judge` step, mirror,
 * header route or sticky session in an environment on `dataPlane: haproxy`. Each problem points
 * at the field that needs the capability and names the environments that lack it. An override's
 * strategy and templates answer to its own environment, and replace the service's there.
 */
export function checkDataPlane(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !isRecord(raw.services)) return [];
  const planes = dataPlanes(raw);
  return Object.entries(raw.services).flatMap(([name, service]): ConfigProblem[] => {
    if (!isRecord(service)) return [];
    const routed = [...routedEnvironments(service)].flatMap((env) => {
      const plane = planes.get(env);
      return plane === undefined ? [] : [{ env, plane }];
    });
    const overrides = rawOverrides(name, service);
    const overrideOf = (env: string) => overrides.find((o) => o.environment === env)?.override;
    // The service's own need holds where no override replaces the field it comes from.
    const replaced = (need: Need, env: string): boolean => {
      const override = overrideOf(env);
      if (override === undefined) return false;
      if (need.template === undefined) return override.strategy !== undefined;
      return isRecord(override.analysis) && Object.hasOwn(override.analysis, need.template);
    };
    const own = needsOf(['services', name], service.strategy, service.analysis).flatMap((need) =>
      lackingProblems(
        need,
        routed.filter(({ env }) => !replaced(need, env)),
      ),
    );
    const overridden = overrides.flatMap(({ environment, path, override }) =>
      needsOf(path, override.strategy, override.analysis).flatMap((need) =>
        lackingProblems(
          need,
          routed.filter(({ env }) => env === environment),
        ),
      ),
    );
    return [...own, ...overridden];
  });
}

/** The need, if some of `environments` lack its capability: where, and what to do. */
function lackingProblems(
  need: Need,
  environments: readonly { env: string; plane: DataPlaneKind }[],
): ConfigProblem[] {
  const lacking = environments.filter(
    ({ plane }) => !dataPlaneCapabilities[plane][need.capability],
  );
  if (lacking.length === 0) return [];
  const where = lacking.map(({ env, plane }) => `${env} (dataPlane: ${plane})`).join(', ');
  const envs = lacking.map(({ env }) => env).join(', ');
  return [
    {
      path: need.path,
      message:
        `the data plane of ${where} has no ${capabilityLabels[need.capability]}; ` +
        `remove this or set dataPlane: ferry on ${envs}`,
      at: need.at,
    },
  ];
}
