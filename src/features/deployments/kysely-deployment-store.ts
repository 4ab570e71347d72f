import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { FerryEvent } from '../events/event.js';
import { KyselyEventStore } from '../events/kysely-event-store.js';
import type { Database, DeploymentTable } from '../../store/schema.js';
import type { ServiceConfig } from '../../config/ferry-config.js';
import {
  activePhases,
  type Deployment,
  type DeploymentKind,
  type DeploymentPhase,
} from './domain/deployment.js';
import type { DeploymentStore, DeploymentWrite } from './deployment-store.js';
import type { DeploymentPatch } from './domain/transitions.js';
import type { RolloutState } from './domain/rollout-state.js';
import type { PhaseCause } from './domain/phase-cause.js';
import type { Condition } from './domain/conditions.js';

export class KyselyDeploymentStore implements DeploymentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async commit(write: DeploymentWrite): Promise<readonly FerryEvent[]> {
    // Serialise first: a value that cannot be stored fails before anything is written.
    const row = 'insert' in write ? toRow(write.insert) : toPatch(write.patch);
    const superseded =
      'insert' in write && write.supersedes
        ? { id: write.supersedes.id, row: toPatch(write.supersedes.patch) }
        : undefined;
    // SQLite rolls a transaction back by itself when a write or the commit fails on a full
    // disk, and a rollback after that fails ("no transaction is active"): the caller gets the
    // first error, which says what went wrong, never the rollback's.
    const trx = await this.db.startTransaction().execute();
    try {
      if ('insert' in write) {
        await trx
          .insertInto('deployments')
          .values(row as Insertable<DeploymentTable>)
          .execute();
        if (superseded) {
          await trx
            .updateTable('deployments')
            .set(superseded.row)
            .where('id', '=', superseded.id)
            .execute();
        }
      } else await trx.updateTable('deployments').set(row).where('id', '=', write.id).execute();
      const events = new KyselyEventStore(trx);
      const stored: FerryEvent[] = [];
      for (const event of write.events) stored.push(await events.append(event));
      await trx.commit().execute();
      return stored;
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw error;
    }
  }

  async get(id: string): Promise<Deployment | undefined> {
    const row = await this.db
      .selectFrom('deployments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toDeployment(row);
  }

  async list(
    target: { readonly service: string; readonly environment: string },
    limit: number,
  ): Promise<readonly Deployment[]> {
    const rows = await this.db
      .selectFrom('deployments')
      .selectAll()
      .where('service', '=', target.service)
      .where('environment', '=', target.environment)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toDeployment);
  }

  async listByArtifact(service: string, digest: string): Promise<readonly Deployment[]> {
    const rows = await this.db
      .selectFrom('deployments')
      .selectAll()
      .where('service', '=', service)
      .where('artifact_digest', '=', digest)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toDeployment);
  }

  async listActive(): Promise<readonly Deployment[]> {
    const rows = await this.db
      .selectFrom('deployments')
      .selectAll()
      .where('phase', 'in', [...activePhases])
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toDeployment);
  }

  async listLatest(): Promise<readonly Deployment[]> {
    const rows = await this.db
      .selectFrom('deployments as d')
      .selectAll('d')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('deployments as n')
              .select('n.id')
              .whereRef('n.service', '=', 'd.service')
              .whereRef('n.environment', '=', 'd.environment')
              .where((eb) =>
                eb.or([
                  eb('n.created_at', '>', eb.ref('d.created_at')),
                  eb.and([
                    eb('n.created_at', '=', eb.ref('d.created_at')),
                    eb('n.id', '>', eb.ref('d.id')),
                  ]),
                ]),
              ),
          ),
        ),
      )
      .execute();
    return rows.map(toDeployment);
  }
}

function toDeployment(row: Selectable<DeploymentTable>): Deployment {
  return {
    id: row.id,
    service: row.service,
    environment: row.environment,
    kind: row.kind as DeploymentKind,
    artifactDigest: row.artifact_digest,
    version: row.version,
    phase: row.phase as DeploymentPhase,
    reason: row.reason,
    previousId: row.previous_id,
    spec: JSON.parse(row.spec) as ServiceConfig,
    actor: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastProgressAt: row.last_progress_at,
    finishedAt: row.finished_at,
    rollout: row.rollout ? (JSON.parse(row.rollout) as RolloutState) : null,
    ...(row.fast_rollback ? { fastRollback: true } : {}),
    ...(row.cause ? { cause: JSON.parse(row.cause) as PhaseCause } : {}),
    ...(row.conditions && row.conditions !== '[]'
      ? { conditions: JSON.parse(row.conditions) as Condition[] }
      : {}),
  };
}

function toRow(d: Deployment): Insertable<DeploymentTable> {
  return {
    id: d.id,
    service: d.service,
    environment: d.environment,
    kind: d.kind,
    artifact_digest: d.artifactDigest,
    version: d.version,
    phase: d.phase,
    reason: d.reason,
    previous_id: d.previousId,
    spec: JSON.stringify(d.spec),
    actor: d.actor,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    last_progress_at: d.lastProgressAt,
    finished_at: d.finishedAt,
    rollout: d.rollout ? JSON.stringify(d.rollout) : null,
    fast_rollback: d.fastRollback ? 1 : 0,
    cause: d.cause ? JSON.stringify(d.cause) : null,
    conditions: d.conditions?.length ? JSON.stringify(d.conditions) : null,
  };
}

function toPatch(
  patch: DeploymentPatch & { readonly updatedAt: string },
): Updateable<DeploymentTable> {
  return {
    updated_at: patch.updatedAt,
    ...(patch.phase ? { phase: patch.phase } : {}),
    ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
    ...(patch.cause !== undefined ? { cause: patch.cause && JSON.stringify(patch.cause) } : {}),
    ...(patch.conditions !== undefined
      ? { conditions: patch.conditions.length > 0 ? JSON.stringify(patch.conditions) : null }
      : {}),
    ...(patch.lastProgressAt ? { last_progress_at: patch.lastProgressAt } : {}),
    ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
    ...(patch.rollout !== undefined ? { rollout: JSON.stringify(patch.rollout) } : {}),
  };
}
