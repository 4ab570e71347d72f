import type { InstanceSpec } from '../../instances/instance-runtime.js';
import type { ServiceConfig } from './service-spec.js';
import { sameValue } from './spec-changes.js';

/**
 * Whether an instance runs as `spec` says: the same command, working directory, environment,
 * user and probes. An instance of the right artifact that does not (the configuration changed
 * since it started: `ferry apply`) is replaced like one of another artifact.
 */
export function runsSpec(instance: InstanceSpec, spec: ServiceConfig): boolean {
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
