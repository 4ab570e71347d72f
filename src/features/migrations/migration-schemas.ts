import { z } from 'zod';
import { migrationPhases } from './domain/migration-file.js';
import type { ContractResult } from './migration-service.js';
import type { MigrationStatus, PendingContract } from './migration-status.js';

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lowercase name like "web"');

/** `GET /api/v1/migrations?environment=prod&service=web`. */
export const migrationStatusQuery = z
  .object({
    /** Without it: every environment the caller's token covers. */
    environment: name.optional(),
    service: name.optional(),
  })
  .strict();

/** `POST /api/v1/migrations/contract`. */
export const contractBody = z
  .object({ service: name, environment: name })
  .strict()
  .meta({ id: 'ContractMigrations' });

const appliedSchema = z
  .object({
    version: z.string(),
    description: z.string(),
    phase: z.enum(migrationPhases),
    checksum: z.string(),
    appliedAt: z.string(),
    /** Null when a person (or automatic contract) ran it. */
    deploymentId: z.string().nullable(),
    durationMs: z.number(),
  })
  .meta({ id: 'AppliedMigration' });

const fileSchema = z
  .object({
    version: z.string(),
    description: z.string(),
    phase: z.enum(migrationPhases).nullable(),
    path: z.string(),
    checksum: z.string(),
  })
  .meta({ id: 'MigrationFile' });

/** Why a contract migration waits, as data; `reasons` has the sentences. */
const waitSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('not-live'), version: z.string(), live: z.string().nullable() }),
    z.object({
      kind: z.literal('window'),
      version: z.string(),
      liveSince: z.string(),
      until: z.string(),
      waitMs: z.number(),
    }),
    z.object({ kind: z.literal('older-running'), version: z.string(), instances: z.number() }),
    z.object({
      kind: z.literal('older-rollout'),
      version: z.string(),
      deploymentId: z.string(),
      rollingOut: z.string(),
    }),
  ])
  .meta({ id: 'ContractWait' });

const artifactRef = z.object({ version: z.string(), digest: z.string() });

const pendingContractSchema = z
  .object({
    file: fileSchema,
    /** The version that first shipped it in the environment (N). */
    shippedIn: artifactRef.nullable(),
    ready: z.boolean(),
    waits: z.array(waitSchema),
    reasons: z.array(z.string()),
  })
  .meta({ id: 'PendingContract' });

export const migrationStatusSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    /** The artifact whose files were compared: the live one, else the newest deployed. */
    artifact: artifactRef.nullable(),
    applied: z.array(appliedSchema),
    pendingExpand: z.array(fileSchema),
    pendingContract: z.array(pendingContractSchema),
    mismatches: z.array(
      z.object({ version: z.string(), path: z.string(), applied: z.string(), file: z.string() }),
    ),
    unknownApplied: z.array(appliedSchema),
    /** Why the database could not be read; null when it was. */
    error: z.string().nullable(),
  })
  .meta({ id: 'MigrationStatus' });

export const contractResultSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    applied: z.array(appliedSchema),
    /** Later contract migrations that still wait. */
    waiting: z.array(pendingContractSchema),
    noop: z.boolean(),
  })
  .meta({ id: 'ContractResult' });

export type MigrationStatusView = z.infer<typeof migrationStatusSchema>;
export type ContractResultView = z.infer<typeof contractResultSchema>;

/** The API's view of a status: the same fields, as plain arrays. */
export function toMigrationStatusView(status: MigrationStatus): MigrationStatusView {
  return {
    ...status,
    artifact: status.artifact ? { ...status.artifact } : null,
    applied: [...status.applied],
    pendingExpand: [...status.pendingExpand],
    pendingContract: status.pendingContract.map(toPendingView),
    mismatches: [...status.mismatches],
    unknownApplied: [...status.unknownApplied],
  };
}

export function toContractResultView(result: ContractResult): ContractResultView {
  return {
    ...result,
    applied: [...result.applied],
    waiting: result.waiting.map(toPendingView),
  };
}

function toPendingView(pending: PendingContract): MigrationStatusView['pendingContract'][number] {
  return {
    ...pending,
    shippedIn: pending.shippedIn ? { ...pending.shippedIn } : null,
    waits: [...pending.waits],
    reasons: [...pending.reasons],
  };
}
