import type { Kysely, Selectable } from 'kysely';
import type { Database, DeploymentTable } from '../../store/schema.js';
import type { ServiceConfig } from '../../config/ferry-config.js';
import {
  activePhases,
  type Deployment,
  type DeploymentKind,
  type DeploymentPhase,
} from './domain/deployment.js';
import type { DeploymentStore } from './deployment-store.js';
import type { RolloutState } from './domain/rollout-state.js';

export class KyselyDeploymentStore implements DeploymentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(d: Deployment): Promise<void> {
    await this.db
      .insertInto('deployments')
      .values({
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
      })
      .execute();
  }

  async update(id: string, patch: Parameters<DeploymentStore['update']>[1]): Promise<void> {
    await this.db
      .updateTable('deployments')
      .set({
        updated_at: patch.updatedAt,
        ...(patch.phase ? { phase: patch.phase } : {}),
        ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
        ...(patch.lastProgressAt ? { last_progress_at: patch.lastProgressAt } : {}),
        ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
        ...(patch.rollout !== undefined ? { rollout: JSON.stringify(patch.rollout) } : {}),
      })
      .where('id', '=', id)
      .execute();
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
  };
}
