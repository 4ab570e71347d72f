import type { ConfigProblem, PathSegment } from './config-problem.js';
import { formatFieldPath } from './config-problem.js';
import type { ListenAddress } from './ferry-config.js';
import { parseListenAddress } from './listen-address.js';
import { declaredEnvironmentNames, isRecord, rawOverrides } from './raw-shape.js';

const wildcardHosts = new Set(['0.0.0.0', '::']);

interface Binding {
  readonly path: readonly PathSegment[];
  readonly address: ListenAddress;
  /** `service/environment/listener`: an override's preview route may repeat the service's own. */
  readonly listener?: string;
}

function clashes(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port) return false;
  const host = (h: string) => (h === 'localhost' ? '127.0.0.1' : h);
  return wildcardHosts.has(a.host) || wildcardHosts.has(b.host) || host(a.host) === host(b.host);
}

/** The blue-green preview routes of a strategy, if it is one. */
function previewRoutesOf(strategy: unknown): unknown {
  return isRecord(strategy) && isRecord(strategy.blueGreen)
    ? strategy.blueGreen.previewRoutes
    : undefined;
}

/**
 * Every map of environment → listen address in a service: its routes, its preview routes, then
 * the preview routes of each override's strategy (`only`: the override's own environment).
 */
function routeMaps(serviceName: string, service: Readonly<Record<string, unknown>>) {
  const base = ['services', serviceName];
  const maps: { path: PathSegment[]; routes: unknown; listener: string; only?: string }[] = [
    { path: [...base, 'routes'], routes: service.routes, listener: 'main' },
    {
      path: [...base, 'strategy', 'blueGreen', 'previewRoutes'],
      routes: previewRoutesOf(service.strategy),
      listener: 'preview',
    },
    ...rawOverrides(serviceName, service).map(({ environment, path, override }) => ({
      path: [...path, 'strategy', 'blueGreen', 'previewRoutes'],
      routes: previewRoutesOf(override.strategy),
      listener: 'preview',
      only: environment,
    })),
  ];
  return maps.flatMap(({ path, routes, listener, only }) =>
    isRecord(routes)
      ? Object.entries(routes).map(([env, listen]) => ({
          path: [...path, env],
          env,
          listen,
          listener: `${serviceName}/${env}/${listener}`,
          only,
        }))
      : [],
  );
}

/** `unknown environment "qa"; declared environments are ...`. */
function unknownEnvironment(env: string, declared: readonly string[]): string {
  return `unknown environment "${env}"; declared environments are ${[...new Set(declared)].join(', ') || '(none)'}`;
}

/**
 * Every route, blue-green preview route and override names a declared environment, and no two
 * routes (of any service or environment) listen on the same port of the same host; `0.0.0.0`
 * clashes with every host. An override's preview route is for its own environment, and may
 * repeat the service's (one listener). With `apiListen` (the server's `--listen`), no route takes
 * the API's port either.
 */
export function checkRoutes(raw: unknown, apiListen?: ListenAddress): ConfigProblem[] {
  if (!isRecord(raw) || !isRecord(raw.services)) return [];
  const declared = declaredEnvironmentNames(raw);
  const bindings: Binding[] = apiListen ? [{ path: [], address: apiListen }] : [];
  const problems: ConfigProblem[] = [];
  for (const [serviceName, service] of Object.entries(raw.services)) {
    if (!isRecord(service)) continue;
    for (const { environment, path } of rawOverrides(serviceName, service)) {
      if (declared && !declared.includes(environment)) {
        problems.push({ path, message: unknownEnvironment(environment, declared), at: 'key' });
      }
    }
    for (const { path, env, listen, listener, only } of routeMaps(serviceName, service)) {
      if (declared && !declared.includes(env)) {
        problems.push({ path, message: unknownEnvironment(env, declared), at: 'key' });
      } else if (only !== undefined && env !== only) {
        problems.push({
          path,
          message: `the override of ${only} previews in ${only} only; set ${env}'s preview route in the service's strategy or in overrides.${env}`,
          at: 'key',
        });
        continue;
      }
      const address = typeof listen === 'string' ? parseListenAddress(listen) : undefined;
      if (!address) continue;
      const taken = bindings.find((b) => b.listener !== listener && clashes(b.address, address));
      if (taken) {
        const user =
          taken.path.length === 0
            ? `the API of this server (--listen ${taken.address.host}:${taken.address.port})`
            : formatFieldPath(taken.path);
        problems.push({
          path,
          message: `port ${address.port} on ${address.host} is already used by ${user}; give each route its own port`,
          at: 'value',
        });
      }
      bindings.push({ path, address, listener });
    }
  }
  return problems;
}
