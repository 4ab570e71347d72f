import type { Kysely, Selectable } from 'kysely';
import type { Database, GateResultTable } from '../../store/schema.js';
import type { GateResult, GateStatus } from './domain/gate-result.js';
import type { GateResultStore } from './gate-result-store.js';

export class KyselyGateResultStore implements GateResultStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(r: GateResult): Promise<void> {
    await this.db
      .insertInto('gate_results')
      .values({
        id: r.id,
        service: r.service,
        version: r.version,
        digest: r.digest,
        name: r.name,
        status: r.status,
        values: JSON.stringify(r.values),
        url: r.url,
        reporter: r.reporter,
        reported_at: r.reportedAt,
      })
      .execute();
  }

  async listFor(service: string, digest: string): Promise<readonly GateResult[]> {
    const rows = await this.db
      .selectFrom('gate_results')
      .selectAll()
      .where('service', '=', service)
      .where('digest', '=', digest)
      .orderBy('reported_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toGateResult);
  }
}

function toGateResult(row: Selectable<GateResultTable>): GateResult {
  return {
    id: row.id,
    service: row.service,
    version: row.version,
    digest: row.digest,
    name: row.name,
    status: row.status as GateStatus,
    values: JSON.parse(row.values) as Record<string, number>,
    url: row.url,
    reporter: row.reporter,
    reportedAt: row.reported_at,
  };
}
