import { parse } from 'libpg-query';

/** One statement of a migration file, where it sits, and whether it can run in a transaction. */
export interface MigrationStatement {
  /** The statement's text, with the comments and blank lines before it. */
  readonly sql: string;
  /** Offset of `sql` in the file, in characters (as PostgreSQL's error `position` counts). */
  readonly offset: number;
  /** Why it cannot run inside a transaction (`CREATE INDEX CONCURRENTLY`), or null. */
  readonly nonTransactional: string | null;
  /** For `CREATE INDEX CONCURRENTLY`: the table, as written, whose new indexes a failure leaves. */
  readonly indexedTable: string | null;
}

/** A file cut into statements by PostgreSQL's own parser, or null when it does not parse. */
export type MigrationStatements = readonly MigrationStatement[] | null;

interface RawStatement {
  readonly stmt: Record<string, Record<string, unknown>>;
  readonly stmt_location?: number;
  readonly stmt_len?: number;
}

interface RangeVar {
  readonly schemaname?: string;
  readonly relname: string;
}

/**
 * Cuts a migration file into its statements with `libpg-query` (PostgreSQL's parser) and marks
 * those PostgreSQL refuses inside a transaction block: `CREATE INDEX CONCURRENTLY`,
 * `DROP INDEX CONCURRENTLY`, `REINDEX CONCURRENTLY`, `DETACH PARTITION CONCURRENTLY`, `VACUUM`,
 * `CREATE`/`DROP DATABASE`, `ALTER SYSTEM`, tablespaces, and `ALTER TYPE ... ADD VALUE` before
 * PostgreSQL 12. A file that does not parse gives null: PostgreSQL then reports the error itself,
 * with its position, when the file runs.
 *
 * @example (await migrationStatements('CREATE INDEX CONCURRENTLY i ON t (a);', 150000))![0]!.nonTransactional
 * // 'CREATE INDEX CONCURRENTLY'
 */
export async function migrationStatements(
  sql: string,
  serverVersionNum: number,
): Promise<MigrationStatements> {
  let parsed: { stmts?: RawStatement[] };
  try {
    parsed = (await parse(sql)) as { stmts?: RawStatement[] };
  } catch {
    return null;
  }
  // The parser counts bytes of UTF-8; PostgreSQL's error positions count characters.
  const bytes = Buffer.from(sql, 'utf8');
  return (parsed.stmts ?? []).map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const [kind, node] = Object.entries(raw.stmt)[0] ?? ['', {}];
    return {
      sql: bytes.subarray(start, end).toString('utf8'),
      offset: bytes.subarray(0, start).toString('utf8').length,
      nonTransactional: nonTransactional(kind, node, serverVersionNum),
      indexedTable:
        kind === 'IndexStmt' && node['concurrent'] === true
          ? qualifiedName(node['relation'] as RangeVar)
          : null,
    };
  });
}

function nonTransactional(
  kind: string,
  node: Record<string, unknown>,
  serverVersionNum: number,
): string | null {
  switch (kind) {
    case 'IndexStmt':
      return node['concurrent'] === true ? 'CREATE INDEX CONCURRENTLY' : null;
    case 'DropStmt':
      return node['concurrent'] === true ? 'DROP INDEX CONCURRENTLY' : null;
    case 'ReindexStmt': {
      const params = (node['params'] ?? []) as { DefElem?: { defname?: string } }[];
      return params.some((p) => p.DefElem?.defname === 'concurrently')
        ? 'REINDEX CONCURRENTLY'
        : null;
    }
    case 'VacuumStmt':
      return node['is_vacuumcmd'] === true ? 'VACUUM' : null;
    case 'AlterTableStmt': {
      const cmds = (node['cmds'] ?? []) as {
        AlterTableCmd?: { subtype?: string; def?: { PartitionCmd?: { concurrent?: boolean } } };
      }[];
      return cmds.some(
        (c) =>
          c.AlterTableCmd?.subtype === 'AT_DetachPartition' &&
          c.AlterTableCmd.def?.PartitionCmd?.concurrent === true,
      )
        ? 'DETACH PARTITION CONCURRENTLY'
        : null;
    }
    case 'AlterEnumStmt':
      return serverVersionNum < 120000 && node['oldVal'] === undefined
        ? 'ALTER TYPE ... ADD VALUE (before PostgreSQL 12)'
        : null;
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    default:
      return null;
  }
}

function qualifiedName(relation: RangeVar): string {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return relation.schemaname === undefined
    ? quote(relation.relname)
    : `${quote(relation.schemaname)}.${quote(relation.relname)}`;
}
