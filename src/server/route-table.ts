import type { FastifyInstance, RouteOptions } from 'fastify';
import { permissions, type RouteAccess } from '../features/auth/domain/permissions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the caller needs; every route declares it (see `trackRoutes`). */
    readonly permission?: RouteAccess;
  }
}

/** One route as the server registered it, with the permission it declared. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly permission: RouteAccess;
}

/** Methods that change something: every one is authorized for its permission and audited. */
export const mutatingMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const tables = new WeakMap<object, RouteEntry[]>();

/**
 * Keeps the route table of `app` and refuses a route that declares no permission in its options
 * (`config: { permission: 'deploy' }`): registering it throws, so the server does not start.
 */
export function trackRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const permission = route.config?.permission;
    const methods = [route.method].flat();
    if (
      permission === undefined ||
      (permission !== 'public' && !permissions.includes(permission))
    ) {
      throw new Error(
        `route ${methods.join(',')} ${route.url} declares no permission: add config: { permission: '...' } (one of public, ${permissions.join(', ')})`,
      );
    }
    for (const method of methods) table.push({ method, url: route.url, permission });
  });
}

/** Every route of an app built by `buildApi`, as registered (HEAD twins of GETs included). */
export function routeTable(app: FastifyInstance): readonly RouteEntry[] {
  return tables.get(app) ?? [];
}
