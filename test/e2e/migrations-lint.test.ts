import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/ferry.js');
const corpus = 'test/fixtures/migrations-lint';

/** Runs the built `ferry` as a process: exit code, stdout and stderr. */
async function ferry(...args: string[]) {
  return ferryIn(process.cwd(), ...args);
}

async function ferryIn(cwd: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `ferry migrations lint` as a user runs it: the built CLI, squawk's own binary. */
describe('ferry migrations lint (built CLI)', () => {
  it('exits 1 on the corpus and prints only JSON with --json after the paths', async () => {
    const run = await ferry('migrations', 'lint', corpus, '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { files: { file: string; findings: unknown[] }[] };
    expect(
      report.files.find((f) => f.file === `${corpus}/V12__index_not_concurrent.sql`),
    ).toMatchObject({
      findings: [
        { rule: 'require-concurrent-index-creation', severity: 'error', line: 2, column: 1 },
      ],
    });
  }, 60_000);

  it('exits 0 on safe files and 2 on a missing path', async () => {
    const safe = await ferry(
      'migrations',
      'lint',
      `${corpus}/V2__add_nullable_column.sql`,
      `${corpus}/V13__index_concurrently.sql`,
      `${corpus}/V18__foreign_key_not_valid.sql`,
    );
    expect(safe).toEqual({ code: 0, stdout: '', stderr: '3 files linted: 0 errors, 0 warnings\n' });
    const missing = await ferry('migrations', 'lint', 'nowhere.sql');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: nowhere.sql: no such file or folder\n');
  }, 60_000);

  it('gives the files of an expand/ folder linted by itself, or as `.`, their phase', async () => {
    const expected = {
      rule: 'contract-in-expand',
      severity: 'error',
      line: 1,
      column: 1,
      phase: 'contract',
    };
    const named = await ferry('migrations', 'lint', `${corpus}/expand`, '--json');
    expect(JSON.parse(named.stdout)).toEqual({
      files: [
        {
          file: `${corpus}/expand/V38__in_expand_folder.sql`,
          findings: [expect.objectContaining(expected)],
        },
      ],
    });
    const here = await ferryIn(
      join(process.cwd(), corpus, 'expand'),
      'migrations',
      'lint',
      '.',
      '--json',
    );
    expect(JSON.parse(here.stdout)).toEqual({
      files: [
        { file: 'expand/V38__in_expand_folder.sql', findings: [expect.objectContaining(expected)] },
      ],
    });
  }, 60_000);
});
