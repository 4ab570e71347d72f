import type { InstanceRecord } from '../../features/instances/instance-runtime.js';

/**
 * The local runtime's handle on an instance: enough to find its processes and log again after
 * the server restarts. Stored as JSON in the instance's record; nothing outside this runtime
 * reads it.
 */
export type LocalHandle = {
  readonly kind: 'local';
  readonly pid: number;
  /** Process group of the instance: signals go to the whole group. */
  readonly pgid: number;
  /** Start time of `pid` from /proc (clock ticks since boot), guards against pid reuse. */
  readonly pidStartTicks: number;
  readonly logPath: string;
};

/** A record whose handle this runtime made. */
export type LocalRecord = InstanceRecord & { readonly handle: LocalHandle };

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** True for a handle the local runtime made (as read back from the store: any JSON). */
export function isLocalHandle(value: unknown): value is LocalHandle {
  if (typeof value !== 'object' || value === null) return false;
  const handle = value as Record<string, unknown>;
  return (
    handle['kind'] === 'local' &&
    isCount(handle['pid']) &&
    isCount(handle['pgid']) &&
    isCount(handle['pidStartTicks']) &&
    typeof handle['logPath'] === 'string'
  );
}

/** The record as the local runtime reads it, or undefined when another runtime made its handle. */
export function asLocalRecord(record: InstanceRecord): LocalRecord | undefined {
  const { handle } = record;
  return isLocalHandle(handle) ? { ...record, handle } : undefined;
}

/**
 * The local handle of a record this runtime made; throws for any other (a caller's mistake: only
 * records from the local runtime reach the places that call it).
 */
export function localHandleOf(record: InstanceRecord): LocalHandle {
  const local = asLocalRecord(record);
  if (!local) throw new Error(`instance ${record.instanceId}: not a local runtime's record`);
  return local.handle;
}
