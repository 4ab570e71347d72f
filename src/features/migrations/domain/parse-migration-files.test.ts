import { describe, expect, it } from 'vitest';
import { compareVersions, parseMigrationFiles } from './parse-migration-files.js';

const entry = (path: string, sql = 'SELECT 1;') => ({
  path,
  sql,
  checksum: `sha256:${'a'.repeat(64)}`,
});

describe('parseMigrationFiles', () => {
  it('reads version, description and phase from the name, the header or the folder', () => {
    const parsed = parseMigrationFiles([
      entry('V10__drop_name.sql', '-- phase: contract\nALTER TABLE t DROP COLUMN name;'),
      entry('expand/V2_1__add_email.sql'),
      entry(
        'V3__backfill.sql',
        '-- Backfills in batches.\n--   Phase:  EXPAND\nUPDATE t SET x = 1;',
      ),
      entry('README.md'),
    ]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.files.map((f) => [f.version, f.description, f.phase, f.path])).toEqual([
      ['2.1', 'add email', 'expand', 'expand/V2_1__add_email.sql'],
      ['3', 'backfill', 'expand', 'V3__backfill.sql'],
      ['10', 'drop name', 'contract', 'V10__drop_name.sql'],
    ]);
  });

  it('leaves the phase null when none is declared, and ignores a header after the first statement', () => {
    const parsed = parseMigrationFiles([
      entry('V1__init.sql', 'CREATE TABLE t ();\n-- phase: contract'),
    ]);
    expect(parsed.files[0]?.phase).toBeNull();
  });

  it('reports bad names, repeated versions, unknown and contradicting phases', () => {
    const parsed = parseMigrationFiles([
      entry('add_email.sql'),
      entry('V1__a.sql'),
      entry('V01__b.sql'),
      entry('V2__c.sql', '-- phase: shrink\n'),
      entry('expand/V3__d.sql', '-- phase: contract\n'),
    ]);
    expect(parsed.files.map((f) => f.path)).toEqual(['V1__a.sql']);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      'add_email.sql: not a migration name; name it V<version>__<description>.sql (V3__add_email.sql)',
      'V01__b.sql: version 1 is also V1__a.sql',
      'V2__c.sql: unknown phase "shrink"; use expand or contract',
      'expand/V3__d.sql: declares phase contract but sits in expand/',
    ]);
  });

  it('orders versions numerically', () => {
    expect(['10', '3.1', '3', '2.10', '2.9'].sort(compareVersions)).toEqual([
      '2.9',
      '2.10',
      '3',
      '3.1',
      '10',
    ]);
  });
});
