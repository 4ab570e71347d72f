import { join } from 'node:path';
import { z } from 'zod';
import { listenerKinds, type RoutingTable } from '../../features/routing/traffic-router.js';

/**
 * The control channel between `ferry server` (the control plane) and `ferry router` (the data
 * plane process): HTTP/1.1 on a loopback port the router picks, every request carrying
 * `Authorization: Bearer <token>`. The router writes its address and token to
 * {@link routerStatePath} (mode 0600) once it serves; the server reads that file to adopt it.
 *
 * | method and path            | body                                  | answer                                   |
 * | -------------------------- | ------------------------------------- | ---------------------------------------- |
 * | GET    /v1/health          |                                       | {@link RouterHealth}                     |
 * | GET    /v1/tables          |                                       | { generation, tables: RoutingTable[] }   |
 * | PUT    /v1/tables          | { generation, table }                 | { applied } (older generation: false)    |
 * | DELETE /v1/tables          | { generation, service, environment, listener? } | { applied }                    |
 * | POST   /v1/drain           | { upstreamId, timeoutMs, tunnelsMs? } | {} once drained or timed out             |
 * | GET    /v1/figures?service=&environment=&listener= |              | ListenerFigures, summed over workers     |
 * | POST   /v1/windows         | { service, environment, maxLatencySamples? } | { id }                            |
 * | GET    /v1/windows/:id     |                                       | Partial<Record<Track, TrackSample>>      |
 * | DELETE /v1/windows/:id     |                                       | {} (stops collecting; still readable)    |
 * | PUT    /v1/settings        | {@link RouterSettings}                | {} once workers run with them            |
 * | POST   /v1/upgrade         |                                       | { workers: pids } once fresh workers serve |
 * | POST   /v1/shutdown        |                                       | {} then closes listeners and exits       |
 * | GET    /metrics            |                                       | Prometheus text of every worker, summed  |
 *
 * Errors are `{ error: { code, message } }` with the HTTP status of the FerryError code.
 */
export const controlPaths = {
  health: '/v1/health',
  tables: '/v1/tables',
  drain: '/v1/drain',
  figures: '/v1/figures',
  windows: '/v1/windows',
  settings: '/v1/settings',
  upgrade: '/v1/upgrade',
  shutdown: '/v1/shutdown',
  metrics: '/metrics',
} as const;

/** What the router process runs with; sent at start and again when ferry.yaml changes. */
export const routerSettingsSchema = z.object({
  timeouts: z.object({
    headersMs: z.number().int().positive(),
    idleMs: z.number().int().positive(),
  }),
  trustedProxies: z.array(
    z.object({
      address: z.string(),
      prefix: z.number().int().min(0).max(128),
      family: z.enum(['ipv4', 'ipv6']),
    }),
  ),
  /** Worker processes serving the listeners; `auto`: one per CPU. */
  workers: z.union([z.literal('auto'), z.number().int().min(1).max(64)]),
});
export type RouterSettings = z.infer<typeof routerSettingsSchema>;

/** `GET /v1/health`. */
export interface RouterHealth {
  readonly pid: number;
  /** The newest table generation the router holds (0 when it holds none). */
  readonly generation: number;
  /** Pids of the worker processes serving traffic. */
  readonly workers: readonly number[];
  readonly startedAt: string;
  /** Identifies the code the workers run (changes when Ferry is upgraded on disk). */
  readonly build: string;
  readonly settings: RouterSettings;
}

/** What `<data>/router/router.json` holds: where the running router answers. */
export const routerStateSchema = z.object({
  pid: z.number().int().positive(),
  /** `http://127.0.0.1:<port>` */
  control: z.string().url(),
  token: z.string().min(16),
  startedAt: z.string(),
});
export type RouterState = z.infer<typeof routerStateSchema>;

/** The router's folder in a data folder: state, persisted tables, its log. */
export function routerFolder(dataDir: string): string {
  return join(dataDir, 'router');
}

/** Where the running router says where it answers (mode 0600). */
export function routerStatePath(dataDir: string): string {
  return join(routerFolder(dataDir), 'router.json');
}

/** The last tables the router received, with their generations, so a restart serves them at once. */
export function routerTablesPath(dataDir: string): string {
  return join(routerFolder(dataDir), 'tables.json');
}

/** The router's log (not under `<data>/logs/`: that is where instances write, and orphans are swept). */
export function routerLogPath(dataDir: string): string {
  return join(routerFolder(dataDir), 'router.log');
}

const upstreamSchema = z.object({
  id: z.string(),
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  version: z.string(),
});

const percentSchema = z.number().min(0).max(100);

/** A RoutingTable on the wire (checked loosely: the control plane built it). */
export const routingTableSchema = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  listener: z.enum(listenerKinds).optional(),
  listen: z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) }),
  backends: z.object({
    stable: z.array(upstreamSchema).optional(),
    canary: z.array(upstreamSchema).optional(),
    baseline: z.array(upstreamSchema).optional(),
    mirror: z.array(upstreamSchema).optional(),
  }),
  canaryWeight: percentSchema.optional(),
  baselineWeight: percentSchema.optional(),
  canaryMatches: z
    .array(
      z.object({
        source: z.enum(['header', 'cookie']),
        name: z.string(),
        kind: z.enum(['exact', 'prefix', 'regex']),
        value: z.string(),
      }),
    )
    .optional(),
  mirrorPercent: percentSchema.optional(),
  sticky: z
    .object({ cookie: z.string(), maxAgeSeconds: z.number().int().positive().optional() })
    .nullable()
    .optional(),
}) satisfies z.ZodType<RoutingTable>;

/** `PUT /v1/tables`. */
export const putTableSchema = z.object({
  generation: z.number().int().positive(),
  table: routingTableSchema,
});

/** `DELETE /v1/tables`. */
export const deleteTableSchema = z.object({
  generation: z.number().int().positive(),
  service: z.string().min(1),
  environment: z.string().min(1),
  listener: z.enum(listenerKinds).optional(),
});

/** `POST /v1/drain`. */
export const drainSchema = z.object({
  upstreamId: z.string(),
  timeoutMs: z.number().int().nonnegative(),
  tunnelsMs: z.number().int().nonnegative().optional(),
});

/** `POST /v1/windows`. */
export const openWindowSchema = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  maxLatencySamples: z.number().int().nonnegative().optional(),
});

/** Answer of `PUT`/`DELETE /v1/tables`: false when the router holds a newer generation of that key. */
export interface TableChangeAnswer {
  readonly applied: boolean;
}

/** Answer of `GET /v1/tables`. */
export interface TablesAnswer {
  readonly generation: number;
  readonly tables: readonly RoutingTable[];
}

/** Answer of `POST /v1/upgrade`. */
export interface UpgradeAnswer {
  readonly workers: readonly number[];
}
