import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import type { ParseResult } from 'libpg-query';
import type { ParsedSql } from '../domain/lint-file.js';

let loaded: Promise<void> | undefined;

/** Parses SQL with PostgreSQL's own parser (libpg-query, PostgreSQL 17, as WebAssembly). */
export async function parseSql(sql: string): Promise<ParsedSql> {
  loaded ??= loadModule();
  await loaded;
  try {
    const result = parseSync(sql) as ParseResult;
    return { ok: true, statements: result.stmts ?? [] };
  } catch (error) {
    if (!hasSqlDetails(error)) throw error;
    return {
      ok: false,
      message: error.sqlDetails.message,
      characterOffset: error.sqlDetails.cursorPosition,
    };
  }
}
