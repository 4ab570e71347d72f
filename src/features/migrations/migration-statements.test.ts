import { describe, expect, it } from 'vitest';
import { migrationStatements } from './migration-statements.js';

describe('migrationStatements', () => {
  it('cuts a file into statements and marks those that cannot run in a transaction', async () => {
    const sql = [
      '-- phase: expand',
      'CREATE TABLE "é" (id int, note text DEFAULT \'ü\');',
      'CREATE UNIQUE INDEX CONCURRENTLY ix ON app."é" (id);',
      'DROP INDEX CONCURRENTLY ix;',
      'REINDEX INDEX CONCURRENTLY ix;',
      'VACUUM "é";',
      'ANALYZE "é";',
      "ALTER TYPE mood ADD VALUE 'meh';",
      'CREATE INDEX plain ON "é" (note)',
    ].join('\n');
    const statements = (await migrationStatements(sql, 150000))!;
    expect(statements.map((s) => s.nonTransactional)).toEqual([
      null,
      'CREATE INDEX CONCURRENTLY',
      'DROP INDEX CONCURRENTLY',
      'REINDEX CONCURRENTLY',
      'VACUUM',
      null,
      null,
      null,
    ]);
    expect(statements[1]!.indexedTable).toBe('"app"."é"');
    expect(statements[7]!.indexedTable).toBeNull();
    // Offsets count characters, so the text at each offset is the statement itself.
    for (const statement of statements) {
      expect(sql.slice(statement.offset, statement.offset + statement.sql.length)).toBe(
        statement.sql,
      );
    }
    expect(statements[7]!.sql.trim()).toBe('CREATE INDEX plain ON "é" (note)');
  });

  it('runs ALTER TYPE ... ADD VALUE outside a transaction before PostgreSQL 12 only', async () => {
    const sql = "ALTER TYPE mood ADD VALUE 'meh';";
    expect((await migrationStatements(sql, 110000))![0]!.nonTransactional).toMatch(/ADD VALUE/);
    expect((await migrationStatements(sql, 120000))![0]!.nonTransactional).toBeNull();
  });

  it('gives null for a file the parser rejects, so PostgreSQL reports it', async () => {
    expect(await migrationStatements('CREATE TABLE (;', 150000)).toBeNull();
  });
});
