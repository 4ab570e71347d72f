import type pg from 'pg';
import type { BlockingQuery } from './migration-database.js';

/** Watches a session while it runs; `stop` gives the last session seen blocking it, or null. */
export interface BlockerWatch {
  stop(): Promise<BlockingQuery | null>;
}

/**
 * The session blocking `pid`, the query it last ran, and the lock it holds on what `pid` waits
 * for. `pg_blocking_pids()` only answers while `pid` is still waiting: once `lock_timeout` fired
 * the wait is over and PostgreSQL no longer says who blocked, hence a second connection that asks
 * while the migration runs.
 */
const blockerQuery = `
  with waiting as (
    select locktype, database, relation, transactionid, virtualxid, classid, objid, objsubid
    from pg_locks where pid = $1 and not granted limit 1
  )
  select a.pid, a.query, a.state, held.lock
  from unnest(pg_blocking_pids($1)) as blocker(pid)
  join pg_stat_activity a on a.pid = blocker.pid
  left join lateral (
    select l.mode || ' on ' || case
        when l.locktype = 'relation' then
          coalesce(case c.relkind when 'i' then 'index ' when 'S' then 'sequence ' else 'table ' end, '')
          || l.relation::regclass::text
        when l.locktype = 'transactionid' then 'transaction ' || l.transactionid::text
        when l.locktype = 'virtualxid' then 'transaction ' || l.virtualxid
        else l.locktype
      end as lock
    from pg_locks l
    join waiting w on l.locktype = w.locktype
      and l.database is not distinct from w.database
      and l.relation is not distinct from w.relation
      and l.transactionid is not distinct from w.transactionid
      and l.virtualxid is not distinct from w.virtualxid
      and l.classid is not distinct from w.classid
      and l.objid is not distinct from w.objid
      and l.objsubid is not distinct from w.objsubid
    left join pg_class c on c.oid = l.relation
    where l.pid = a.pid and l.granted
    limit 1
  ) held on true
  order by held.lock is null, a.pid
  limit 1`;

/**
 * Polls, on `watcher` (a connection of its own), who blocks the session (its pid, or the
 * `application_name` of a tool such as pg_dump) until stopped, and remembers the last answer. Polling costs one small catalog query per interval, and only while
 * a migration statement runs.
 */
export function watchBlocker(
  watcher: pg.ClientBase,
  session: number | { readonly applicationName: string },
  intervalMs = 50,
): BlockerWatch {
  let stopped = false;
  let seen: BlockingQuery | null = null;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        const pid =
          typeof session === 'number' ? session : await pidOf(watcher, session.applicationName);
        const { rows } = await watcher.query<{
          pid: number;
          query: string;
          state: string | null;
          lock: string | null;
        }>(blockerQuery, [pid]);
        const row = rows[0];
        if (row !== undefined) seen = { pid: row.pid, query: row.query, lock: row.lock };
      } catch {
        // A watcher that cannot ask leaves the failure unexplained, never the migration failed.
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs).unref();
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      return seen;
    },
  };
}

async function pidOf(watcher: pg.ClientBase, applicationName: string): Promise<number | null> {
  const { rows } = await watcher.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1 limit 1',
    [applicationName],
  );
  return rows[0]?.pid ?? null;
}

/**
 * The blocking session as a reason says it, its query on one line and at most 200 characters.
 *
 * @example describeBlocker(b) // 'blocked by pid 4242 holding AccessExclusiveLock on table accounts, running: LOCK TABLE accounts ...'
 */
export function describeBlocker(blocker: BlockingQuery): string {
  const flat = blocker.query.replaceAll(/\s+/g, ' ').trim();
  const query = flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
  const lock = blocker.lock === null ? '' : ` holding ${blocker.lock}`;
  return `blocked by pid ${blocker.pid}${lock}, running: ${query}`;
}
