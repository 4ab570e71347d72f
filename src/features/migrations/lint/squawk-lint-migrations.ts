import { lintFile, runsInTransaction } from '../domain/lint-file.js';
import type { LintedFile } from '../domain/lint-finding.js';
import type { LintInput, LintMigrations } from '../lint-migrations.js';
import { parseSql } from './parse-sql.js';
import { runSquawk } from './run-squawk.js';

/**
 * The real {@link LintMigrations}: each file parsed by PostgreSQL's parser and linted by squawk
 * (told whether Ferry's runner wraps it in a transaction), then judged by `lintFile`. Files are
 * linted a few at a time; the report keeps their order.
 */
export const squawkLintMigrations: LintMigrations = async (inputs) => {
  const files: LintedFile[] = new Array<LintedFile>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      files[index] = await lintOne(inputs[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, inputs.length) }, worker));
  return { files };
};

async function lintOne(input: LintInput): Promise<LintedFile> {
  const parsed = await parseSql(input.sql);
  const squawk = parsed.ok
    ? await runSquawk(input.sql, { inTransaction: runsInTransaction(parsed.statements) })
    : [];
  return {
    file: input.file,
    findings: lintFile({ sql: input.sql, phase: input.phase, parsed, squawk }),
  };
}
