import type { Kysely, Selectable } from 'kysely';
import type { Database, InstanceTable } from '../../store/schema.js';
import type { InstanceHandle, InstanceSpec } from './instance-runtime.js';
import type { InstanceIntent, StoredInstance } from './instance.js';
import type { InstanceStore } from './instance-store.js';

export class KyselyInstanceStore implements InstanceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(i: StoredInstance): Promise<void> {
    await this.db
      .insertInto('instances')
      .values({
        id: i.id,
        deployment_id: i.deploymentId,
        service: i.service,
        environment: i.environment,
        version: i.version,
        artifact_digest: i.artifactDigest,
        phase: i.intent,
        host: i.record?.host ?? null,
        port: i.record?.port ?? null,
        handle: i.record ? JSON.stringify(i.record.handle) : null,
        restarts: i.restarts,
        spec: JSON.stringify(i.spec),
        created_at: i.createdAt,
        updated_at: i.updatedAt,
        smoke_passed_at: i.smokePassedAt ?? null,
      })
      .execute();
  }

  async update(id: string, patch: Parameters<InstanceStore['update']>[1]): Promise<void> {
    await this.db
      .updateTable('instances')
      .set({
        updated_at: patch.updatedAt,
        ...(patch.intent ? { phase: patch.intent } : {}),
        ...(patch.restarts !== undefined ? { restarts: patch.restarts } : {}),
        ...(patch.smokePassedAt !== undefined ? { smoke_passed_at: patch.smokePassedAt } : {}),
        ...(patch.record
          ? {
              host: patch.record.host,
              port: patch.record.port,
              handle: JSON.stringify(patch.record.handle),
            }
          : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async get(id: string): Promise<StoredInstance | undefined> {
    const row = await this.db
      .selectFrom('instances')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toInstance(row);
  }

  async listLive(target?: {
    readonly service: string;
    readonly environment: string;
  }): Promise<readonly StoredInstance[]> {
    let q = this.db.selectFrom('instances').selectAll().where('phase', '!=', 'stopped');
    if (target) {
      q = q.where('service', '=', target.service).where('environment', '=', target.environment);
    }
    const rows = await q.orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(toInstance);
  }

  async listOfDeployment(deploymentId: string): Promise<readonly StoredInstance[]> {
    const rows = await this.db
      .selectFrom('instances')
      .selectAll()
      .where('deployment_id', '=', deploymentId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toInstance);
  }
}

function toInstance(row: Selectable<InstanceTable>): StoredInstance {
  const record =
    row.host !== null && row.port !== null && row.handle !== null
      ? {
          instanceId: row.id,
          host: row.host,
          port: row.port,
          handle: JSON.parse(row.handle) as InstanceHandle,
        }
      : null;
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    service: row.service,
    environment: row.environment,
    version: row.version,
    artifactDigest: row.artifact_digest,
    intent: row.phase as InstanceIntent,
    record,
    restarts: row.restarts,
    spec: JSON.parse(row.spec) as InstanceSpec,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    smokePassedAt: row.smoke_passed_at,
  };
}
