import type { ProbeConfig, ServiceConfig } from './service-spec.js';
import { sameValue } from './spec-changes.js';

/** What an instance was started with (its stored InstanceSpec has at least this). */
export interface InstanceRunSpec {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly readiness: ProbeConfig;
  readonly liveness?: ProbeConfig;
}

/**
 * Whether an instance runs as `spec` says: the same command, working directory, environment,
 * user and probes. An instance of the right artifact that does not (the configuration changed
 * since it started: `ferry apply`) is replaced like one of another artifact.
 */
export function runsSpec(instance: InstanceRunSpec, spec: ServiceConfig): boolean {
  const local = spec.runtime.local;
  return (
    sameValue(instance.command, local.command) &&
    instance.cwd === local.cwd &&
    sameValue(instance.env, local.env) &&
    instance.user === local.user &&
    sameValue(instance.readiness, spec.health.readiness) &&
    sameValue(instance.liveness, spec.health.liveness)
  );
}
