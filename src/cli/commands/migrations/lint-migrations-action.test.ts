import { describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo } from '../../test-api-server.js';

const corpus = 'test/fixtures/migrations-lint';

describe('ferry migrations lint', () => {
  it('prints findings like a compiler, with help, and exits 1 on an error', async () => {
    const out = captureIo();
    const file = `${corpus}/V3__drop_column_in_expand.sql`;
    expect(await main(['migrations', 'lint', file], out.io)).toBe(1);
    expect(out.stdout()).toBe(
      `${file}:3:1 error contract-in-expand: DROP COLUMN nickname breaks the version still serving; it cannot be in an expand migration\n` +
        '  help: Keep the old shape in this release; ship the change as a contract migration (`-- phase: contract`), which runs once no running or rollback version needs the old shape.\n',
    );
    expect(out.stderr()).toBe('1 file linted: 1 error, 0 warnings\n');
  });

  it('exits 0 when there are only warnings or nothing', async () => {
    const out = captureIo();
    const files = [`${corpus}/V4__drop_column.sql`, `${corpus}/V26__add_serial.sql`];
    expect(await main(['migrations', 'lint', files[0]!], out.io)).toBe(0);
    expect(out.stdout()).toBe('');
    const both = captureIo();
    expect(await main(['migrations', 'lint', ...files], both.io)).toBe(1);
    expect(both.stderr()).toBe('2 files linted: 1 error, 1 warning\n');
  });

  it('prints {files: [{file, findings}]} with --json, a folder read recursively', async () => {
    const out = captureIo();
    expect(await main(['--json', 'migrations', 'lint', corpus], out.io)).toBe(1);
    const report = JSON.parse(out.stdout()) as {
      files: { file: string; findings: Record<string, unknown>[] }[];
    };
    expect(report.files.length).toBeGreaterThanOrEqual(30);
    expect(
      report.files.find((f) => f.file === `${corpus}/expand/V38__in_expand_folder.sql`),
    ).toEqual({
      file: `${corpus}/expand/V38__in_expand_folder.sql`,
      findings: [
        {
          rule: 'contract-in-expand',
          severity: 'error',
          line: 1,
          column: 1,
          message:
            'DROP COLUMN plan breaks the version still serving; it cannot be in an expand migration',
          help: expect.stringContaining('contract migration'),
          phase: 'contract',
        },
      ],
    });
    expect(report.files.find((f) => f.file === `${corpus}/V13__index_concurrently.sql`)).toEqual({
      file: `${corpus}/V13__index_concurrently.sql`,
      findings: [],
    });
  }, 60_000);

  it('exits 2 without a path, or with one that does not exist', async () => {
    const none = captureIo();
    expect(await main(['migrations', 'lint'], none.io)).toBe(2);
    expect(none.stderr()).toBe(
      'error: ferry migrations lint needs a migrations folder or .sql files\n',
    );
    const missing = captureIo();
    expect(await main(['migrations', 'lint', 'no/such/dir'], missing.io)).toBe(2);
    expect(missing.stderr()).toBe('error: no/such/dir: no such file or folder\n');
    const unknown = captureIo();
    expect(await main(['migrations', 'squash'], unknown.io)).toBe(2);
    expect(unknown.stderr()).toBe(
      'error: unknown migrations action "squash"; expected lint, status, contract\n',
    );
  });
});
