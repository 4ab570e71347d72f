import { z } from 'zod';
import { deploymentKinds, deploymentPhases, type Deployment } from './domain/deployment.js';
import { defaultRollbackWindow } from './domain/rollback-window.js';

/** How a rollback goes: fast (within `rollbackWindow`), or through the service's strategy. */
const rollbackPathSchema = z
  .object({
    fast: z.boolean(),
    window: z.number().int(),
    strategy: z.enum(['rolling', 'canary', 'blueGreen']),
  })
  .meta({ id: 'RollbackPath' });

export const deploymentSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    environment: z.string(),
    kind: z.enum(deploymentKinds),
    version: z.string(),
    artifactDigest: z.string(),
    phase: z.enum(deploymentPhases),
    reason: z.string().nullable(),
    previousId: z.string().nullable(),
    actor: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
    /** Rollbacks only. */
    rollback: rollbackPathSchema.optional(),
    /**
     * Why it is Paused, Aborted, RollingBack or Failed, as data (`reason` is its sentence): `kind`
     * (`person`, `analysisInconclusive`, `openPauseStep`, `beforePromotion`, `previewReady`;
     * `analysisFailed`, `inconclusiveTimeout`, `routeUnavailable`, `progressDeadline`,
     * `launchFailed`, `crashLoop`, `smokeFailed`) and the fields of that kind.
     */
    cause: z.looseObject({ kind: z.string() }).meta({ id: 'PhaseCause' }).optional(),
    /** Created with `--emergency`: it passed a deployment window in force, for this reason. */
    emergency: z.object({ reason: z.string() }).optional(),
  })
  .meta({ id: 'Deployment' });

export type DeploymentView = z.infer<typeof deploymentSchema>;

/**
 * The API's view of a deployment: the spec snapshot stays inside. `emergency`: the reason it was
 * created with `--emergency`, when it was.
 */
export function toDeploymentView(d: Deployment, emergency?: string): DeploymentView {
  return {
    id: d.id,
    service: d.service,
    environment: d.environment,
    kind: d.kind,
    version: d.version,
    artifactDigest: d.artifactDigest,
    phase: d.phase,
    reason: d.reason,
    previousId: d.previousId,
    actor: d.actor,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    finishedAt: d.finishedAt,
    ...(d.cause ? { cause: 'pause' in d.cause ? d.cause.pause : d.cause.abort } : {}),
    ...(d.kind === 'rollback'
      ? {
          rollback: {
            fast: d.fastRollback === true,
            window: d.spec.rollbackWindow ?? defaultRollbackWindow,
            strategy: d.spec.strategy.kind,
          },
        }
      : {}),
    ...(emergency !== undefined ? { emergency: { reason: emergency } } : {}),
  };
}

/**
 * `emergency: { reason }` on a deploy or a promotion: pass a deployment window in force. The
 * reason is required, recorded on `deployment.created` and shown in the history.
 */
export const emergencySchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1, 'say why this cannot wait for the window to end')
      .max(500)
      .describe('Why this change cannot wait for the window to end'),
  })
  .strict()
  .describe('Pass a deployment window (freeze) in force; recorded and flagged. Gates still apply.')
  .meta({ id: 'Emergency' });

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lowercase name like "web"');

export const createDeploymentBody = z
  .object({
    service: name,
    environment: name,
    version: z.string().min(1).max(128),
    force: z
      .boolean()
      .default(false)
      .describe(
        'Deploy into an environment that promotes from another one without promoting; recorded as forced. Required gates still apply.',
      ),
    emergency: emergencySchema.optional(),
  })
  .strict()
  .meta({ id: 'CreateDeployment' });

export const createRollbackBody = z
  .object({
    service: name,
    environment: name,
    toVersion: z.string().min(1).max(128).optional(),
    /** Go back even to a version older than an applied contract migration. Recorded. */
    force: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'CreateRollback' });

export const deployResultSchema = z
  .object({
    deployment: deploymentSchema,
    noop: z.boolean(),
    /** The rolling update that was rolling back and that this deployment ended (`Failed`). */
    superseded: z.object({ id: z.string(), version: z.string() }).optional(),
  })
  .meta({ id: 'DeployResult' });

export const targetQuery = z.object({
  service: name,
  environment: name,
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const serviceNameParams = z.object({ name });

/** `ferry stop` and `ferry start`: which environment of the service in the path. */
export const environmentBody = z
  .object({ environment: name })
  .strict()
  .meta({ id: 'EnvironmentBody' });

export const stopResultSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    /** The version that ran when it was stopped; null when nothing did. */
    version: z.string().nullable(),
    stoppedAt: z.string(),
    actor: z.string(),
    /** True when it was stopped already. */
    noop: z.boolean(),
  })
  .meta({ id: 'StopResult' });
