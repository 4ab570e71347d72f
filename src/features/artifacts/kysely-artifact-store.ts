import type { Kysely, Selectable } from 'kysely';
import type { ArtifactTable, Database } from '../../store/schema.js';
import type { Artifact } from './artifact.js';
import type { ArtifactStore } from './artifact-store.js';

export class KyselyArtifactStore implements ArtifactStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(service: string, version: string): Promise<Artifact | undefined> {
    const row = await this.db
      .selectFrom('artifacts')
      .selectAll()
      .where('service', '=', service)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toArtifact(row);
  }

  async insert(a: Artifact): Promise<boolean> {
    const result = await this.db
      .insertInto('artifacts')
      .values({
        service: a.service,
        version: a.version,
        digest: a.digest,
        source_commit: a.sourceCommit,
        branch: a.branch,
        build_url: a.buildUrl,
        meta: Object.keys(a.meta).length > 0 ? JSON.stringify(a.meta) : null,
        size_bytes: a.sizeBytes,
        created_at: a.createdAt,
      })
      .onConflict((oc) => oc.columns(['service', 'version']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async list(service: string): Promise<readonly Artifact[]> {
    const rows = await this.db
      .selectFrom('artifacts')
      .selectAll()
      .where('service', '=', service)
      .orderBy('created_at', 'desc')
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toArtifact);
  }

  async listByDigest(digest: string): Promise<readonly Artifact[]> {
    const rows = await this.db
      .selectFrom('artifacts')
      .selectAll()
      .where('digest', '=', digest)
      .orderBy('created_at', 'desc')
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toArtifact);
  }

  async remove(service: string, version: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('artifacts')
      .where('service', '=', service)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toArtifact(row: Selectable<ArtifactTable>): Artifact {
  return {
    service: row.service,
    version: row.version,
    digest: row.digest,
    sourceCommit: row.source_commit,
    branch: row.branch,
    buildUrl: row.build_url,
    meta: row.meta ? (JSON.parse(row.meta) as Record<string, string>) : {},
    sizeBytes: row.size_bytes,
    createdAt: row.created_at,
  };
}
