import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Node,
  RangeVar,
  RawStmt,
} from 'libpg-query';
import type { FerryRule } from './lint-rules.js';

/** A lock or rewrite Ferry itself sees in a statement (squawk misses these). */
export interface StatementHazard {
  readonly rule: FerryRule;
  readonly message: string;
}

/** What Ferry's classification knows about one statement of a migration file. */
export interface StatementFacts {
  /** The tables it acts on, as `name` or `schema.name` (`public.` dropped). */
  readonly tables: readonly string[];
  /** The tables it creates. */
  readonly creates: readonly string[];
  /** What in it breaks the version still serving (`DROP COLUMN email`): contract-only. */
  readonly contract: readonly string[];
  readonly hazards: readonly StatementHazard[];
  /** PostgreSQL refuses to run it in a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`). */
  readonly nonTransactional: boolean;
}

/** Functions whose value differs row by row: as a column default, they force a rewrite. */
const volatileFunctions = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
]);

const serialTypes = new Set([
  'serial',
  'serial2',
  'serial4',
  'serial8',
  'smallserial',
  'bigserial',
]);

/** `LOCK TABLE` modes from SHARE (5) up block writes until the transaction ends. */
const shareLockMode = 5;

/**
 * Classifies one parsed statement (libpg-query's AST): the tables it touches and creates
 * (`CREATE TABLE [IF NOT EXISTS]`, `CREATE TABLE ... AS`, `CREATE MATERIALIZED VIEW`: a versioned
 * migration runs once, so the table is taken to be new), whether it is contract-only and the
 * locks it hides. Contract-only: dropping a table, view,
 * column, constraint, or any object but an index; renaming anything but an index; moving a table
 * to another schema; any `ALTER COLUMN ... TYPE`; `SET NOT NULL`; `DROP DEFAULT`; `TRUNCATE`.
 */
export function classifyStatement(raw: RawStmt): StatementFacts {
  const facts = new FactsBuilder();
  const node = raw.stmt;
  if (node === undefined) return facts;
  if ('CreateStmt' in node) {
    facts.creates.push(...tableKeys([node.CreateStmt.relation]));
  } else if ('CreateTableAsStmt' in node) {
    facts.creates.push(...tableKeys([node.CreateTableAsStmt.into?.rel]));
  } else if ('AlterTableStmt' in node) {
    alterTable(node.AlterTableStmt, facts);
  } else if ('IndexStmt' in node) {
    facts.touch(node.IndexStmt.relation);
    if (node.IndexStmt.concurrent) facts.nonTransactional = true;
  } else if ('RenameStmt' in node) {
    const rename = node.RenameStmt;
    facts.touch(rename.relation);
    if (rename.renameType !== 'OBJECT_INDEX') {
      const what = objectKind(rename.renameType);
      const name = rename.subname ?? rename.relation?.relname ?? '';
      facts.contract.push(`RENAME ${what} ${name}`.trim());
    }
  } else if ('AlterObjectSchemaStmt' in node) {
    facts.touch(node.AlterObjectSchemaStmt.relation);
    facts.contract.push(`SET SCHEMA ${node.AlterObjectSchemaStmt.newschema ?? ''}`.trim());
  } else if ('DropStmt' in node) {
    const drop = node.DropStmt;
    if (drop.concurrent) facts.nonTransactional = true;
    const kind = objectKind(drop.removeType);
    const names = (drop.objects ?? []).map(objectName);
    if (drop.removeType === 'OBJECT_TABLE') facts.tables.push(...names.map(tableKey));
    if (drop.removeType !== 'OBJECT_INDEX') {
      facts.contract.push(`DROP ${kind} ${names.join(', ')}`.trim());
    }
  } else if ('TruncateStmt' in node) {
    for (const relation of node.TruncateStmt.relations ?? []) facts.touch(rangeVar(relation));
    facts.contract.push('TRUNCATE');
  } else if ('VacuumStmt' in node) {
    facts.nonTransactional = node.VacuumStmt.is_vacuumcmd !== false;
    const full = (node.VacuumStmt.options ?? []).some(
      (option) => 'DefElem' in option && option.DefElem.defname === 'full',
    );
    for (const rel of node.VacuumStmt.rels ?? []) {
      if ('VacuumRelation' in rel) facts.touch(rel.VacuumRelation.relation);
    }
    if (full) {
      facts.hazards.push({
        rule: 'vacuum-full',
        message:
          'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock, blocking reads and writes.',
      });
    }
  } else if ('ClusterStmt' in node) {
    facts.touch(node.ClusterStmt.relation);
    facts.hazards.push({
      rule: 'cluster',
      message:
        'CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock, blocking reads and writes.',
    });
  } else if ('LockStmt' in node) {
    for (const relation of node.LockStmt.relations ?? []) facts.touch(rangeVar(relation));
    if ((node.LockStmt.mode ?? 8) >= shareLockMode) {
      facts.hazards.push({
        rule: 'lock-table',
        message:
          'LOCK TABLE holds a lock that blocks writes (or reads) until the migration commits.',
      });
    }
  } else if ('ReindexStmt' in node) {
    // squawk's require-concurrent-reindex judges it; Ferry only needs to know the transaction.
    facts.touch(node.ReindexStmt.relation);
    const concurrently = (node.ReindexStmt.params ?? []).some(
      (param) => 'DefElem' in param && param.DefElem.defname === 'concurrently',
    );
    if (concurrently) facts.nonTransactional = true;
  } else if ('RefreshMatViewStmt' in node) {
    facts.touch(node.RefreshMatViewStmt.relation);
    if (!node.RefreshMatViewStmt.concurrent) {
      facts.hazards.push({
        rule: 'refresh-materialized-view',
        message: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every reader of the view.',
      });
    }
  }
  return facts;
}

function alterTable(statement: AlterTableStmt, facts: FactsBuilder) {
  facts.touch(statement.relation);
  for (const item of statement.cmds ?? []) {
    if (!('AlterTableCmd' in item)) continue;
    const cmd: AlterTableCmd = item.AlterTableCmd;
    switch (cmd.subtype) {
      case 'AT_DropColumn':
        facts.contract.push(`DROP COLUMN ${cmd.name ?? ''}`.trim());
        break;
      case 'AT_AlterColumnType':
        facts.contract.push(`ALTER COLUMN ${cmd.name ?? ''} TYPE`);
        break;
      case 'AT_SetNotNull':
        facts.contract.push(`SET NOT NULL on ${cmd.name ?? ''}`.trim());
        break;
      case 'AT_ColumnDefault':
        if (cmd.def === undefined) facts.contract.push(`DROP DEFAULT on ${cmd.name ?? ''}`.trim());
        break;
      case 'AT_DropConstraint':
        facts.contract.push(`DROP CONSTRAINT ${cmd.name ?? ''}`.trim());
        break;
      case 'AT_AddColumn': {
        const def = cmd.def !== undefined && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : undefined;
        const rewrite = def && hiddenRewrite(def);
        if (rewrite) {
          facts.hazards.push({
            rule: 'add-column-rewrite',
            message: `ADD COLUMN ${def.colname ?? ''} with ${rewrite} rewrites the whole table under an ACCESS EXCLUSIVE lock.`,
          });
        }
        break;
      }
      default:
        break;
    }
  }
}

/** Why adding this column fills every existing row (a rewrite), or null. */
function hiddenRewrite(column: ColumnDef): string | null {
  const typeName = (column.typeName?.names ?? []).map(stringValue).at(-1) ?? '';
  if (serialTypes.has(typeName)) return `type ${typeName}`;
  for (const item of column.constraints ?? []) {
    if (!('Constraint' in item)) continue;
    const constraint = item.Constraint;
    if (constraint.contype === 'CONSTR_IDENTITY') return 'GENERATED AS IDENTITY';
    if (constraint.contype === 'CONSTR_GENERATED') return 'a stored generated expression';
    if (constraint.contype === 'CONSTR_DEFAULT' && constraint.raw_expr !== undefined) {
      const volatile = volatileCall(constraint.raw_expr);
      if (volatile !== null) return `the volatile default ${volatile}()`;
    }
  }
  return null;
}

/** The first call to a volatile function anywhere in `node`, or null. */
function volatileCall(node: unknown): string | null {
  if (node === null || typeof node !== 'object') return null;
  if ('FuncCall' in node) {
    const call = (node as { FuncCall: { funcname?: Node[] } }).FuncCall;
    const name = (call.funcname ?? []).map(stringValue).at(-1) ?? '';
    if (volatileFunctions.has(name)) return name;
  }
  for (const value of Object.values(node)) {
    const found = volatileCall(value);
    if (found !== null) return found;
  }
  return null;
}

class FactsBuilder implements StatementFacts {
  readonly tables: string[] = [];
  readonly creates: string[] = [];
  readonly contract: string[] = [];
  readonly hazards: StatementHazard[] = [];
  nonTransactional = false;

  touch(relation: RangeVar | undefined) {
    this.tables.push(...tableKeys([relation]));
  }
}

function tableKeys(relations: readonly (RangeVar | undefined)[]): string[] {
  return relations.flatMap((relation) =>
    relation?.relname === undefined
      ? []
      : [tableKey([relation.schemaname, relation.relname].filter(isString).join('.'))],
  );
}

/** `public.accounts` and `accounts` are the same table. */
function tableKey(name: string): string {
  return name.startsWith('public.') ? name.slice('public.'.length) : name;
}

/** `OBJECT_MATVIEW` → `MATVIEW`, as in the SQL. */
function objectKind(type: string | undefined): string {
  return (type ?? 'OBJECT').replace('OBJECT_', '').replaceAll('_', ' ');
}

function rangeVar(node: Node): RangeVar | undefined {
  return 'RangeVar' in node ? node.RangeVar : undefined;
}

function objectName(node: Node): string {
  if ('List' in node) return (node.List.items ?? []).map(stringValue).join('.');
  return stringValue(node);
}

function stringValue(node: Node): string {
  return 'String' in node ? (node.String.sval ?? '') : '';
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}
