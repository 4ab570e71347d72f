import { z } from 'zod';
import { describeProbe } from './describe-probe.js';
import type { InstanceRuntime } from './instance-runtime.js';
import type { StoredInstance } from './instance.js';

export const instanceSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    deploymentId: z.string(),
    /** What the controller intends (`running`, `draining`, ...). */
    intent: z.string(),
    /** What the runtime sees (`starting`, `ready`, `backoff`, ...), or `unknown`. */
    phase: z.string(),
    /** The instance's process id, when its runtime has one to show (the local runtime does). */
    pid: z.number().nullable(),
    port: z.number().nullable(),
    restarts: z.number(),
    /** Last readiness probe result, e.g. `GET /healthz → 404, 3 times`; null before the first. */
    probe: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Instance' });

export type InstanceView = z.infer<typeof instanceSchema>;

export function toInstanceView(i: StoredInstance, runtime: InstanceRuntime): InstanceView {
  const status = runtime.get(i.id);
  const record = status?.record ?? i.record;
  return {
    id: i.id,
    service: i.service,
    environment: i.environment,
    version: i.version,
    deploymentId: i.deploymentId,
    intent: i.intent,
    phase: status?.phase ?? 'unknown',
    pid: (record && runtime.describe?.(record).pid) ?? null,
    port: record?.port ?? null,
    restarts: status?.restarts ?? i.restarts,
    probe: status?.readinessProbe ? describeProbe(status.readinessProbe) : null,
    createdAt: i.createdAt,
  };
}
