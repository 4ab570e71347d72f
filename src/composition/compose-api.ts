import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FerryConfig } from '../config/ferry-config.js';
import { approvalRoutes } from '../features/approvals/approval-routes.js';
import { configRoutes } from '../features/config-apply/config-routes.js';
import { artifactRoutes } from '../features/artifacts/artifact-routes.js';
import { auditHooks } from '../features/audit/audit-hooks.js';
import { auditRoutes } from '../features/audit/audit-routes.js';
import { principalOf } from '../features/auth/auth-hook.js';
import { environmentScopeHook } from '../features/auth/environment-scope-hook.js';
import { actorOf } from '../features/auth/domain/api-token.js';
import { tokenRoutes } from '../features/auth/token-routes.js';
import { deploymentRoutes } from '../features/deployments/deployment-routes.js';
import { rolloutRoutes } from '../features/deployments/rollout-routes.js';
import { eventRoutes } from '../features/events/event-routes.js';
import { cdeventRoutes } from '../features/gate-results/cdevent-routes.js';
import { gateResultRoutes } from '../features/gate-results/gate-result-routes.js';
import { instanceRoutes } from '../features/instances/instance-routes.js';
import { noFigures } from '../features/routing/traffic-router.js';
import { serviceRoutes } from '../features/services/service-routes.js';
import { promotionRoutes } from '../features/promotion/promotion-routes.js';
import { windowRoutes } from '../features/windows/window-routes.js';
import { migrationRoutes } from '../features/migrations/migration-routes.js';
import { migrationSummaries } from '../features/migrations/migration-summary.js';
import { buildApi } from '../server/build-api.js';
import type { ZodApp } from '../server/zod-app.js';
import type { Clock } from '../shared/clock.js';
import type { ComposedServices } from './compose-services.js';
import type { FerryParts } from './ferry-parts.js';

/** What the HTTP API serves: every feature's routes over the services composed before it. */
export interface ApiParts {
  readonly config: FerryConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly registry?: Registry;
  readonly isReady: () => boolean;
  readonly services: ComposedServices;
  readonly parts: FerryParts;
}

/**
 * The API, with authentication and each route's permission first, the environment scope of
 * tokens once bodies are parsed, the audit log of every mutating call, and every feature's
 * routes; it listens when asked.
 */
export function composeApi(parts: ApiParts): Promise<ZodApp> {
  const { stores } = parts.parts;
  return buildApi({
    logger: parts.logger,
    registry: parts.registry,
    isReady: parts.isReady,
    authenticate: parts.services.tokens.authenticate,
    authorize: environmentScopeHook,
    audit: auditHooks({
      store: stores.audit,
      clock: parts.clock,
      logger: parts.logger.child({ component: 'audit' }),
      stateOf: async (target) => {
        const [latest] = await stores.deployments.list(target, 1);
        return latest
          ? { deployment: latest.id, version: latest.version, phase: latest.phase }
          : null;
      },
    }),
    register: (app) => registerRoutes(app, parts),
  });
}

function registerRoutes(app: ZodApp, { services, parts, clock }: ApiParts): void {
  const { core } = services;
  const { runtime, stores } = parts;
  const actor = (request: FastifyRequest) => actorOf(principalOf(request));
  const figures = parts.routeFigures ?? (() => noFigures);
  serviceRoutes(app, services.holder, core.deployments, stores.instances, runtime);
  configRoutes(app, services.configApply, actor);
  const { service: artifacts, catalog, retention } = services.artifactFeature;
  artifactRoutes(app, { artifacts, catalog, retention }, actor);
  deploymentRoutes(app, core.deployments, actor, (target) => core.controller.halt(target));
  rolloutRoutes(app, {
    deployments: core.deployments,
    store: stores.deployments,
    rollouts: core.rollouts,
    controller: core.controller,
    instances: stores.instances,
    runtime,
    metrics: (service, environment) => figures(service, environment),
    analysisRuns: stores.analysisRuns,
    actorOf: actor,
  });
  instanceRoutes(app, stores.instances, runtime);
  eventRoutes(app, services.events);
  tokenRoutes(app, services.tokens.tokens);
  gateResultRoutes(app, services.gates, actor);
  cdeventRoutes(app, services.gates);
  promotionRoutes(app, {
    config: () => services.holder.current,
    promotions: services.promotion.promotions,
    deployments: core.deployments,
    health: services.promotion.health,
    planner: services.promotion.deployPlanner,
    actorOf: actor,
    ...(services.migrations
      ? { migrations: migrationSummaries(services.migrations.migrations) }
      : {}),
  });
  windowRoutes(app, () => services.holder.current, clock);
  auditRoutes(app, parts.stores.audit, clock);
  approvalRoutes(app, services.approvals);
  if (services.migrations) {
    migrationRoutes(app, {
      migrations: services.migrations.migrations,
      config: () => services.holder.current,
      actorOf: actor,
    });
  }
}
