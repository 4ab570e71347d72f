import type { ConfigProblem, PathSegment } from './config-problem.js';
import { formatFieldPath } from './config-problem.js';
import type { ListenAddress } from './ferry-config.js';
import { parseListenAddress } from './listen-address.js';
import { declaredEnvironmentNames, isRecord } from './raw-shape.js';

const wildcardHosts = new Set(['0.0.0.0', '::']);

interface Binding {
  readonly path: readonly PathSegment[];
  readonly address: ListenAddress;
}

function clashes(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port) return false;
  const host = (h: string) => (h === 'localhost' ? '127.0.0.1' : h);
  return wildcardHosts.has(a.host) || wildcardHosts.has(b.host) || host(a.host) === host(b.host);
}

/** Every map of environment → listen address in a service: its routes, then its preview routes. */
function routeMaps(serviceName: string, service: Readonly<Record<string, unknown>>) {
  const maps: { path: PathSegment[]; routes: unknown }[] = [
    { path: ['services', serviceName, 'routes'], routes: service.routes },
  ];
  const strategy = service.strategy;
  if (isRecord(strategy) && isRecord(strategy.blueGreen)) {
    maps.push({
      path: ['services', serviceName, 'strategy', 'blueGreen', 'previewRoutes'],
      routes: strategy.blueGreen.previewRoutes,
    });
  }
  return maps.flatMap(({ path, routes }) =>
    isRecord(routes)
      ? Object.entries(routes).map(([env, listen]) => ({ path: [...path, env], env, listen }))
      : [],
  );
}

/**
 * Every route and blue-green preview route names a declared environment, and no two of them (of
 * any service or environment) listen on the same port of the same host; `0.0.0.0` clashes with
 * every host. With `apiListen` (the server's `--listen`), no route takes the API's port either.
 */
export function checkRoutes(raw: unknown, apiListen?: ListenAddress): ConfigProblem[] {
  if (!isRecord(raw) || !isRecord(raw.services)) return [];
  const declared = declaredEnvironmentNames(raw);
  const bindings: Binding[] = apiListen ? [{ path: [], address: apiListen }] : [];
  const problems: ConfigProblem[] = [];
  for (const [serviceName, service] of Object.entries(raw.services)) {
    if (!isRecord(service)) continue;
    for (const { path, env, listen } of routeMaps(serviceName, service)) {
      if (declared && !declared.includes(env)) {
        problems.push({
          path,
          message: `unknown environment "${env}"; declared environments are ${[...new Set(declared)].join(', ') || '(none)'}`,
          at: 'key',
        });
      }
      const address = typeof listen === 'string' ? parseListenAddress(listen) : undefined;
      if (!address) continue;
      const taken = bindings.find((b) => clashes(b.address, address));
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
      bindings.push({ path, address });
    }
  }
  return problems;
}
