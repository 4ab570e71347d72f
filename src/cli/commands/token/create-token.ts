import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import type { CreateTokenInput } from './token-input.js';

/**
 * Creates a token. The secret alone goes to stdout (`TOKEN=$(ferry token create ci)` works);
 * what it is goes to stderr. `--json`: `{token, secret}`. The secret is never shown again.
 */
export async function createToken(input: CreateTokenInput, context: CommandContext) {
  const { io, json } = context;
  const { token, secret } = await context.client().createToken({
    name: input.name,
    ...(input.expiresIn === undefined ? {} : { expiresIn: input.expiresIn }),
    ...(input.role === undefined ? {} : { role: input.role }),
    ...(input.environments.length === 0 ? {} : { environments: input.environments }),
  });
  if (json) {
    writeJson(io.stdout, { token, secret });
    return exitCodes.ok;
  }
  const scoped = token.scopes.includes('*') ? '' : ` on ${token.scopes.join(', ')}`;
  const expiry = token.expiresAt === null ? 'no expiry' : `expires ${token.expiresAt}`;
  writeLine(
    io.stderr,
    `created token ${token.id} "${token.name}" (${token.role}${scoped}, ${expiry}); its secret, shown only now:`,
  );
  writeLine(io.stdout, secret);
  return exitCodes.ok;
}
