import type { ServiceConfig } from './service-spec.js';

/**
 * The spec a service runs with in one environment: its own fields with that environment's
 * `overrides` applied. `replicas`, `strategy`, `smoke` and `progressDeadlineMs` replace the
 * service's; `env` is merged over `runtime.local.env` and `analysis` over the service's templates,
 * both by name. The result's `overrides` is empty: it is what a deployment stores and follows.
 *
 * @example effectiveService(web, 'prod').strategy.kind // 'canary' when overrides.prod says so
 */
export function effectiveService(service: ServiceConfig, environment: string): ServiceConfig {
  // Specs stored before overrides existed have none.
  const overrides = (service.overrides as ServiceConfig['overrides'] | undefined) ?? {};
  const override = Object.hasOwn(overrides, environment) ? overrides[environment] : undefined;
  if (override === undefined) return { ...service, overrides: {} };
  const { runtime } = service;
  return {
    ...service,
    replicas: override.replicas ?? service.replicas,
    runtime: override.env
      ? { ...runtime, local: { ...runtime.local, env: { ...runtime.local.env, ...override.env } } }
      : runtime,
    strategy: override.strategy ?? service.strategy,
    analysis: override.analysis ? { ...service.analysis, ...override.analysis } : service.analysis,
    smoke: override.smoke ?? service.smoke,
    progressDeadlineMs: override.progressDeadlineMs ?? service.progressDeadlineMs,
    overrides: {},
  };
}
