import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { ServiceStop, StopStore } from './stop-store.js';

export class KyselyStopStore implements StopStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(scope: { service: string; environment: string }): Promise<ServiceStop | undefined> {
    const row = await this.db
      .selectFrom('service_stops')
      .selectAll()
      .where('service', '=', scope.service)
      .where('environment', '=', scope.environment)
      .executeTakeFirst();
    return row
      ? {
          service: row.service,
          environment: row.environment,
          stoppedAt: row.stopped_at,
          actor: row.actor,
        }
      : undefined;
  }

  async insert(stop: ServiceStop): Promise<void> {
    await this.db
      .insertInto('service_stops')
      .values({
        service: stop.service,
        environment: stop.environment,
        stopped_at: stop.stoppedAt,
        actor: stop.actor,
      })
      .execute();
  }

  async remove(scope: { service: string; environment: string }): Promise<void> {
    await this.db
      .deleteFrom('service_stops')
      .where('service', '=', scope.service)
      .where('environment', '=', scope.environment)
      .execute();
  }
}
