import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FerryConfig } from '../../config/ferry-config.js';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import {
  deploymentSchema,
  emergencySchema,
  toDeploymentView,
} from '../deployments/deployment-schemas.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import { environmentMatrix, type MigrationSummaryOf } from './environment-matrix.js';
import type { RiskView } from '../approvals/domain/risk-view.js';
import type { DeployPlanner } from './deploy-planner.js';
import type { HealthCheck, PromotionPlan, PromotionService } from './promotion-service.js';

const name = z.string().regex(/^[a-z][a-z0-9-]*$/);

const plannedArtifactSchema = z.object({
  version: z.string(),
  digest: z.string(),
  sourceCommit: z.string().nullable(),
});

/** The risk policy's assessment: `high` waits for the approval `requirement` describes. */
const riskSchema = z.object({
  level: z.enum(['low', 'high']),
  matched: z.array(z.object({ rule: z.string(), reasons: z.array(z.string()) })),
  requirement: z
    .object({
      approvals: z.number(),
      roles: z.array(z.string()),
      expiryMs: z.number(),
      onExpiry: z.enum(['reject', 'proceed']),
      allowSelfApproval: z.boolean(),
      remindBeforeMs: z.array(z.number()),
    })
    .nullable(),
});

export const promotionPlanSchema = z
  .object({
    service: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    artifact: plannedArtifactSchema.nullable(),
    current: plannedArtifactSchema.nullable(),
    upToDate: z.boolean(),
    /** Every reason it cannot, as data: `kind` and that kind's fields. */
    blockers: z.array(z.looseObject({ kind: z.string() })),
    reasons: z.array(z.string()),
    configChanges: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
    strategy: z.string(),
    /** The risk policy's assessment: `high` waits for the approval `requirement` describes. */
    risk: riskSchema,
  })
  .meta({ id: 'PromotionPlan' });

export const deployPlanSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    artifact: plannedArtifactSchema,
    current: plannedArtifactSchema.nullable(),
    upToDate: z.boolean(),
    /** Why the deploy would be refused (`promotion_required`, `promotion_blocked`, `environment_frozen`). */
    refusal: z.object({ code: z.string(), message: z.string() }).nullable(),
    configChanges: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
    strategy: z.string(),
    risk: riskSchema,
  })
  .meta({ id: 'DeployPlan' });

const promotionResultSchema = z
  .object({
    plan: promotionPlanSchema,
    /** Null for a dry run. */
    deployment: deploymentSchema.nullable(),
    noop: z.boolean(),
  })
  .meta({ id: 'PromotionResult' });

const cellSchema = z.object({
  environment: z.string(),
  routed: z.boolean(),
  version: z.string().nullable(),
  digest: z.string().nullable(),
  since: z.string().nullable(),
  health: z.enum(['healthy', 'unhealthy', 'stopped', 'none']),
  detail: z.string().nullable(),
  rollout: z.object({ version: z.string(), phase: z.string() }).nullable(),
  /** Deployment windows in force there now: no change goes in without `--emergency`. */
  windows: z.array(
    z.object({
      name: z.string(),
      effect: z.enum(['block', 'approval']),
      endsAt: z.string(),
      timeZone: z.string(),
      reason: z.string(),
    }),
  ),
  onward: z.array(
    z.object({
      to: z.string(),
      ready: z.boolean(),
      upToDate: z.boolean(),
      reason: z.string().nullable(),
    }),
  ),
  /** Database migrations there; null when the service has no database. */
  migrations: z
    .object({
      applied: z.number(),
      pendingExpand: z.number(),
      pendingContract: z.number(),
      readyContract: z.number(),
      mismatches: z.number(),
      waiting: z.string().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
});

/** `ferry promote` and `ferry env`. */
export function promotionRoutes(
  app: ZodApp,
  parts: {
    readonly config: () => FerryConfig;
    readonly promotions: PromotionService;
    readonly deployments: DeploymentService;
    readonly health: HealthCheck;
    readonly planner: DeployPlanner;
    readonly actorOf: (request: FastifyRequest) => string;
    /** Database migrations per cell (`ferry env`); none without the migrations feature. */
    readonly migrations?: MigrationSummaryOf;
  },
) {
  app.post(
    '/api/v1/promotions',
    {
      config: { permission: 'deploy' },
      schema: {
        tags: ['promotions'],
        summary:
          "Deploy the artifact live and healthy in the environment's `from`; 409 promotion_blocked with every reason when it cannot",
        body: z.object({
          service: name,
          to: name,
          dryRun: z.boolean().default(false).describe('Plan only: change nothing'),
          emergency: emergencySchema.optional(),
        }),
        response: { 200: promotionResultSchema, 201: promotionResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { service, to, dryRun, emergency } = request.body;
      const { plan, result } = await parts.promotions.promote(service, to, parts.actorOf(request), {
        dryRun,
        ...(emergency ? { emergency } : {}),
      });
      const created = result !== null && !result.noop;
      return reply.status(created ? 201 : 200).send({
        plan: toPlanView(plan),
        deployment: result
          ? toDeploymentView(result.deployment, created ? emergency?.reason : undefined)
          : null,
        noop: result?.noop ?? false,
      });
    },
  );

  app.get(
    '/api/v1/deployments/plan',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['deployments'],
        summary:
          'What `ferry deploy --dry-run` shows: the change, whether the environment would refuse it and why, and its risk; changes nothing',
        querystring: z.object({
          service: name,
          environment: name,
          version: z.string().min(1).max(128),
          force: z.stringbool().default(false),
          emergency: z.string().min(1).max(500).optional().describe('the --emergency reason'),
        }),
        response: { 200: deployPlanSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { service, environment, version, force, emergency } = request.query;
      const plan = await parts.planner.plan({ service, environment }, version, {
        force,
        ...(emergency !== undefined ? { emergency: { reason: emergency } } : {}),
      });
      return { ...plan, configChanges: [...plan.configChanges], risk: riskView(plan.risk) };
    },
  );

  app.get(
    '/api/v1/groups',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['promotions'],
        summary: 'Groups of services promoted together, each in its declared order',
        response: { 200: z.object({ groups: z.record(z.string(), z.array(z.string())) }) },
      },
    },
    async () => ({
      groups: Object.fromEntries(
        Object.entries(parts.config().groups).map(([group, services]) => [group, [...services]]),
      ),
    }),
  );

  app.get(
    '/api/v1/environments/matrix',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['promotions'],
        summary: 'Services × environments: version, digest, since, health, and what can move on',
        response: {
          200: z
            .object({
              environments: z.array(z.string()),
              services: z.array(z.object({ service: z.string(), cells: z.array(cellSchema) })),
            })
            .meta({ id: 'EnvironmentMatrix' }),
        },
      },
    },
    async () => {
      const matrix = await environmentMatrix(
        parts.config(),
        parts.deployments,
        parts.promotions,
        parts.health,
        parts.migrations,
      );
      return {
        environments: [...matrix.environments],
        services: matrix.services.map(({ service, cells }) => ({
          service,
          cells: cells.map((cell) => ({
            ...cell,
            windows: [...cell.windows],
            onward: [...cell.onward],
            migrations: cell.migrations ? { ...cell.migrations } : null,
          })),
        })),
      };
    },
  );
}

/** The plan as the API sends it (mutable arrays for the schema). */
export function toPlanView(plan: PromotionPlan): z.infer<typeof promotionPlanSchema> {
  return {
    ...plan,
    blockers: plan.blockers.map((blocker) => ({ ...blocker })),
    reasons: [...plan.reasons],
    configChanges: [...plan.configChanges],
    risk: riskView(plan.risk),
  };
}

function riskView(risk: RiskView): z.infer<typeof riskSchema> {
  return {
    level: risk.level,
    matched: risk.matched.map((m) => ({ rule: m.rule, reasons: [...m.reasons] })),
    requirement: risk.requirement && {
      ...risk.requirement,
      roles: [...risk.requirement.roles],
      remindBeforeMs: [...risk.requirement.remindBeforeMs],
    },
  };
}
