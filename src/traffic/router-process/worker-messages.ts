import type { ListenerKind, RoutingTable, Track } from '../../features/routing/traffic-router.js';
import type { TrackSample } from '../../features/routing/traffic-samples.js';
import type { ListenerDetail } from '../router/router-metrics.js';

/** What the router's primary asks a worker over IPC; each carries an id its answer repeats. */
export type WorkerRequest =
  | { readonly op: 'load'; readonly tables: readonly RoutingTable[] }
  | { readonly op: 'apply'; readonly table: RoutingTable }
  | {
      readonly op: 'remove';
      readonly service: string;
      readonly environment: string;
      readonly listener: ListenerKind;
    }
  | {
      readonly op: 'drain';
      readonly upstreamId: string;
      readonly timeoutMs: number;
      readonly tunnelsMs?: number;
    }
  | {
      readonly op: 'detail';
      readonly service: string;
      readonly environment: string;
      readonly listener: ListenerKind;
    }
  | {
      readonly op: 'window-open';
      readonly window: string;
      readonly service: string;
      readonly environment: string;
      readonly maxLatencySamples: number;
    }
  | { readonly op: 'window-read'; readonly window: string }
  | { readonly op: 'window-close'; readonly window: string }
  | { readonly op: 'metrics' }
  | { readonly op: 'retire'; readonly graceMs: number; readonly cutMs: number }
  | { readonly op: 'close'; readonly graceMs: number };

export type WorkerOp = WorkerRequest['op'];

/** A request on the wire. */
export type WorkerEnvelope = WorkerRequest & { readonly id: number };

/** A worker's answer to the request with the same id. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };

/** A worker's first message: its Router answers IPC now (it serves nothing yet). */
export interface WorkerHello {
  readonly hello: true;
}

/** When a worker's last answer of a version on a track came, for picking the newest across workers. */
export type LastAnswers = Partial<Record<Track, { readonly version: string; readonly at: number }>>;

/** A worker's answer to `detail`. */
export interface WorkerDetail {
  readonly detail: ListenerDetail;
  readonly last: LastAnswers;
}

/** A worker's answer to `window-read`. */
export interface WorkerWindowRead {
  readonly samples: Partial<Record<Track, TrackSample>>;
  readonly last: LastAnswers;
}

/** A worker's answer to `load`: tables it could not serve, with why. */
export interface WorkerLoadResult {
  readonly failed: readonly { readonly key: string; readonly message: string }[];
}

/** A worker's answer to `retire`: everything it counted, once its last connection ended. */
export interface WorkerFinal {
  /** By table key (`service/environment/listener`). */
  readonly details: Readonly<Record<string, WorkerDetail>>;
  /** By window id. */
  readonly windows: Readonly<Record<string, WorkerWindowRead>>;
}
