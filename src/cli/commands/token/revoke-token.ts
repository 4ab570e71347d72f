import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import type { RevokeTokenInput } from './token-input.js';

/** Revokes a token by id; its next use gets 401. `--json`: `{token}`. */
export async function revokeToken(input: RevokeTokenInput, context: CommandContext) {
  const { io, json } = context;
  const token = await context.client().revokeToken(input.id);
  if (json) writeJson(io.stdout, { token });
  else writeLine(io.stderr, `revoked token ${token.id} "${token.name}" at ${token.revokedAt}`);
  return exitCodes.ok;
}
