import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { LintReport } from '../domain/lint-finding.js';
import { lintPaths } from './lint-paths.js';
import { runSquawk } from './run-squawk.js';
import { squawkLintMigrations } from './squawk-lint-migrations.js';

const corpus = 'test/fixtures/migrations-lint';

/**
 * Every file of the corpus and its findings as `line:column severity rule phase`. Files with no
 * findings are the safe ways to do what their neighbours do unsafely.
 */
const expected: Record<string, readonly string[]> = {
  'V1__create_accounts.sql': [],
  'V2__add_nullable_column.sql': [],
  'V3__drop_column_in_expand.sql': ['3:1 error contract-in-expand contract'],
  'V4__drop_column.sql': [],
  'V5__rename_column_in_expand.sql': ['2:1 error contract-in-expand contract'],
  'V6__rename_column.sql': [],
  'V7__rename_table_in_expand.sql': ['2:1 error contract-in-expand contract'],
  'V8__add_not_null_without_default.sql': ['2:22 error adding-required-field expand'],
  'V9__add_not_null_with_default.sql': [],
  'V10__set_not_null.sql': ['2:40 error adding-not-nullable-field contract'],
  'V11__set_not_null_in_expand.sql': [
    '2:1 error contract-in-expand contract',
    '2:40 error adding-not-nullable-field contract',
  ],
  'V12__index_not_concurrent.sql': ['2:1 error require-concurrent-index-creation expand'],
  'V13__index_concurrently.sql': [],
  'V14__index_on_new_table.sql': [],
  'V15__change_type.sql': [
    '2:40 error changing-column-type contract',
    '2:45 warning prefer-text-field contract',
  ],
  'V16__change_type_in_expand.sql': [
    '2:1 error contract-in-expand contract',
    '2:38 error changing-column-type contract',
  ],
  'V17__foreign_key.sql': [
    '3:22 error constraint-missing-not-valid expand',
    '3:26 error adding-foreign-key-constraint expand',
  ],
  'V18__foreign_key_not_valid.sql': [],
  'V19__validate_foreign_key.sql': [],
  'V20__check_constraint.sql': ['2:22 error constraint-missing-not-valid expand'],
  'V21__check_not_valid.sql': [],
  'V22__validate_check.sql': [],
  'V23__unique_constraint.sql': [
    '2:22 error constraint-missing-not-valid expand',
    '2:26 error disallowed-unique-constraint expand',
  ],
  'V24__unique_index_concurrently.sql': [],
  'V25__unique_using_index.sql': [],
  'V26__add_serial.sql': [
    '2:1 error add-column-rewrite expand',
    '2:37 warning prefer-identity expand',
  ],
  'V27__volatile_default.sql': ['2:1 error add-column-rewrite expand'],
  'V28__stable_default.sql': [],
  'V29__drop_table.sql': [],
  'V30__drop_table_in_expand.sql': ['2:1 error contract-in-expand contract'],
  'V31__drop_default.sql': [],
  'V32__drop_default_in_expand.sql': ['2:1 error contract-in-expand contract'],
  'V33__vacuum_full.sql': ['2:1 error vacuum-full expand'],
  'V34__cluster.sql': ['2:1 error cluster expand'],
  'V35__lock_table.sql': ['2:1 error lock-table expand'],
  'V36__no_phase.sql': ['1:1 error missing-phase contract'],
  'V37__utf8_columns.sql': [
    '3:45 error contract-in-expand contract',
    '3:84 error changing-column-type contract',
  ],
  'expand/V38__in_expand_folder.sql': ['1:1 error contract-in-expand contract'],
  'contract/V39__in_contract_folder.sql': [],
  'V40__syntax_error.sql': ['3:13 error syntax-error expand'],
  'V41__drop_column_on_new_table.sql': [],
  'V42__identity_column.sql': ['2:1 error add-column-rewrite expand'],
  'V43__drop_constraint_in_expand.sql': ['2:1 error contract-in-expand contract'],
  'V44__reindex.sql': ['2:1 error require-concurrent-reindex expand'],
  'V45__refresh_view.sql': ['2:1 error refresh-materialized-view expand'],
  'V46__backfill_in_batches.sql': [],
  'V47__drop_index_concurrently.sql': [],
  'V48__new_table_outside_transaction.sql': [],
  'add_email.sql': ['1:1 error migration-name expand'],
};

describe('lintPaths on the corpus (real squawk, real PostgreSQL parser)', () => {
  let report: LintReport;
  const findingsOf = (file: string) =>
    report.files.find((f) => f.file === `${corpus}/${file}`)?.findings ?? [];

  it('reports each file of the corpus with exactly its expected findings', async () => {
    report = await lintPaths([corpus], squawkLintMigrations);
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(30);
    const actual = Object.fromEntries(
      report.files.map((file) => [
        file.file.slice(corpus.length + 1),
        file.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.rule} ${f.phase}`),
      ]),
    );
    expect(actual).toEqual(expected);
  }, 60_000);

  it('names what breaks the version still serving, and says what to do', () => {
    const [finding] = findingsOf('V3__drop_column_in_expand.sql');
    expect(finding?.message).toBe(
      'DROP COLUMN nickname breaks the version still serving; it cannot be in an expand migration',
    );
    expect(finding?.help).toMatch(/contract migration/);
    expect(findingsOf('V26__add_serial.sql')[0]?.message).toBe(
      'ADD COLUMN seq with type bigserial rewrites the whole table under an ACCESS EXCLUSIVE lock.',
    );
    expect(findingsOf('add_email.sql')[0]?.message).toBe(
      'not a migration name; name it V<version>__<description>.sql (V3__add_email.sql)',
    );
  });

  it('lists files in version order, then those that cannot be migrations', () => {
    const names = report.files.map((f) => f.file.slice(corpus.length + 1));
    expect(names.slice(0, 3)).toEqual([
      'V1__create_accounts.sql',
      'V2__add_nullable_column.sql',
      'V3__drop_column_in_expand.sql',
    ]);
    expect(names.at(-1)).toBe('add_email.sql');
  });

  it('drops what squawk wrongly says about a table the file just created', async () => {
    const inTransaction = await readFile(`${corpus}/V14__index_on_new_table.sql`, 'utf8');
    expect((await runSquawk(inTransaction, { inTransaction: true })).map((v) => v.rule)).toEqual([
      'adding-required-field',
      'changing-column-type',
    ]);
    expect(findingsOf('V14__index_on_new_table.sql')).toEqual([]);
    // CONCURRENTLY: run outside a transaction, where squawk forgets the new table altogether.
    const outside = await readFile(`${corpus}/V48__new_table_outside_transaction.sql`, 'utf8');
    expect((await runSquawk(outside, { inTransaction: false })).map((v) => v.rule)).toEqual([
      'require-concurrent-index-creation',
    ]);
    expect(findingsOf('V48__new_table_outside_transaction.sql')).toEqual([]);
  });

  it('never reports squawk timeout rules: Ferry sets the timeouts itself', async () => {
    const sql = await readFile(`${corpus}/V12__index_not_concurrent.sql`, 'utf8');
    const squawk = await runSquawk(sql, { inTransaction: true });
    expect(squawk.map((v) => v.rule)).not.toContain('require-lock-timeout');
    const rules = report.files.flatMap((f) => f.findings.map((finding) => finding.rule));
    expect(rules.filter((rule) => rule.includes('timeout'))).toEqual([]);
  });

  it('lints a single file given by path, its phase from its folder', async () => {
    const one = await lintPaths(
      [`${corpus}/expand/V38__in_expand_folder.sql`],
      squawkLintMigrations,
    );
    expect(one.files).toEqual([
      {
        file: `${corpus}/expand/V38__in_expand_folder.sql`,
        findings: [expect.objectContaining({ rule: 'contract-in-expand', line: 1, column: 1 })],
      },
    ]);
  });
});
