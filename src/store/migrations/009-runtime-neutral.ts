import type { Kysely } from 'kysely';

/** The shape of a deployment's spec snapshot this migration reads: only what it moves. */
interface StoredSpec {
  readonly replicas?: number;
  readonly runtime?: { readonly kind?: string; readonly local?: { readonly replicas?: number } };
}

/**
 * A runtime-neutral core. Instances record the host they are reached at (so far always
 * loopback: local instances get 127.0.0.1). Deployments' spec snapshots get the service-level
 * `replicas` (moved out of `runtime.local`) and a tagged runtime (`kind: 'local'`), so a rollout
 * begun before the upgrade carries on. Plain text columns and row-by-row JSON rewrites in
 * TypeScript: no dialect's JSON functions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('instances').addColumn('host', 'text').execute();
  const typed = db as unknown as Kysely<{
    instances: { host: string | null; port: number | null };
    deployments: { id: string; spec: string };
  }>;
  await typed
    .updateTable('instances')
    .set({ host: '127.0.0.1' })
    .where('port', 'is not', null)
    .execute();
  const rows = await typed.selectFrom('deployments').select(['id', 'spec']).execute();
  for (const row of rows) {
    const spec = JSON.parse(row.spec) as StoredSpec;
    if (spec.replicas !== undefined || !spec.runtime?.local) continue;
    const { replicas = 1, ...local } = spec.runtime.local;
    const moved = { ...spec, replicas, runtime: { kind: 'local', local } };
    await typed
      .updateTable('deployments')
      .set({ spec: JSON.stringify(moved) })
      .where('id', '=', row.id)
      .execute();
  }
}
