import type { InstanceRecord, InstanceSpec } from './instance-runtime.js';

/**
 * What the controller intends for an instance, persisted: `launching` (row written, process not
 * yet recorded), `running`, `draining` (out of rotation, being stopped), `stopped`.
 */
export const instanceIntents = ['launching', 'running', 'draining', 'stopped'] as const;
export type InstanceIntent = (typeof instanceIntents)[number];

export interface StoredInstance {
  readonly id: string;
  readonly deploymentId: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  readonly artifactDigest: string;
  readonly intent: InstanceIntent;
  readonly record: InstanceRecord | null;
  readonly restarts: number;
  readonly spec: InstanceSpec;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When it passed its smoke checks; it takes traffic from then on, across restarts too. */
  readonly smokePassedAt?: string | null;
}
