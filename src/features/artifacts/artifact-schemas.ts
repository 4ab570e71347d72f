import { z } from 'zod';
import { deploymentKinds, deploymentPhases } from '../deployments/domain/deployment.js';
import { gateStatuses } from '../gate-results/domain/gate-result.js';

export const artifactSchema = z
  .object({
    service: z.string(),
    version: z.string(),
    digest: z.string(),
    sourceCommit: z.string().nullable(),
    branch: z.string().nullable(),
    buildUrl: z.string().nullable(),
    meta: z.record(z.string(), z.string()),
    sizeBytes: z.number(),
    createdAt: z.string(),
  })
  .meta({ id: 'Artifact' });

const artifactDeploymentSchema = z.object({
  id: z.string(),
  environment: z.string(),
  kind: z.enum(deploymentKinds),
  phase: z.enum(deploymentPhases),
  reason: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

const gateResultSchema = z.object({
  id: z.string(),
  service: z.string(),
  version: z.string(),
  digest: z.string(),
  name: z.string(),
  status: z.enum(gateStatuses),
  values: z.record(z.string(), z.number()),
  url: z.string().nullable(),
  reporter: z.string(),
  reportedAt: z.string(),
});

/** An artifact with where it ran, its deployments and its gate results. */
export const artifactViewSchema = artifactSchema
  .extend({
    liveIn: z.array(z.string()).readonly(),
    environments: z
      .array(
        z.object({
          environment: z.string(),
          live: z.boolean(),
          latest: artifactDeploymentSchema,
        }),
      )
      .readonly(),
    deployments: z.array(artifactDeploymentSchema).readonly(),
    gates: z
      .array(gateResultSchema)
      .readonly()
      .nullable()
      .describe('Every gate report, newest first; null when the server keeps no gate results'),
  })
  .meta({ id: 'ArtifactView' });

const keepReasonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('newest'), rank: z.number(), keep: z.number() }),
  z.object({ kind: z.literal('live'), environment: z.string() }),
  z.object({ kind: z.literal('rollbackWindow'), environment: z.string(), revision: z.number() }),
  z.object({ kind: z.literal('activeRollout'), environment: z.string() }),
  z.object({ kind: z.literal('promotable'), from: z.string(), to: z.string() }),
]);

export const collectionSchema = z
  .object({
    dryRun: z.boolean(),
    artifacts: z
      .array(
        z.object({
          service: z.string(),
          version: z.string(),
          digest: z.string(),
          sizeBytes: z.number(),
          createdAt: z.string(),
          action: z.enum(['keep', 'delete']),
          reasons: z.array(keepReasonSchema).readonly(),
          blobRemoved: z.boolean(),
        }),
      )
      .readonly(),
    releasesRemoved: z
      .array(
        z.object({
          service: z.string(),
          environment: z.string(),
          folders: z.array(z.string()).readonly(),
        }),
      )
      .readonly(),
  })
  .meta({ id: 'ArtifactCollection' });
