import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';

/** A table of every token, revoked and expired ones too; `--json`: `{tokens: [...]}`. */
export async function listTokens(context: CommandContext) {
  const { io, json } = context;
  const tokens = await context.client().tokens();
  if (json) {
    writeJson(io.stdout, { tokens });
    return exitCodes.ok;
  }
  if (tokens.length === 0) {
    writeLine(io.stderr, 'no tokens');
    return exitCodes.ok;
  }
  const rows = tokens.map((t) => [
    t.id,
    t.name,
    t.role,
    t.scopes.join(','),
    t.createdAt,
    t.lastUsedAt,
    t.expiresAt,
    t.revokedAt,
  ]);
  io.stdout.write(
    renderTable(
      ['id', 'name', 'role', 'scopes', 'created', 'last-used', 'expires', 'revoked'],
      rows,
    ),
  );
  return exitCodes.ok;
}
