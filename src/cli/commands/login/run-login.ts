import { FerryError } from '../../../errors/ferry-error.js';
import { writeJson, writeLine } from '../../cli-io.js';
import { checkServerUrl, type CommandContext } from '../../command-context.js';
import { saveCredentials } from '../../credentials.js';
import { exitCodes } from '../../exit-codes.js';
import { FerryClient } from '../../ferry-client.js';
import { readToken } from './read-token.js';

/**
 * Reads a token, checks it against the server (a refused token is not saved), and saves it for
 * that server in the credentials file (0600). `--json`: `{server, token, file}`, never the secret.
 */
export async function runLogin(_input: unknown, context: CommandContext) {
  const { io, json } = context;
  const server = checkServerUrl(context.serverUrl);
  const secret = await readToken(io);
  const client = new FerryClient(server, { token: secret, from: 'stdin' });
  const token = await client.whoami().catch((error: unknown) => {
    if (!(error instanceof FerryError) || error.code !== 'unauthorized') throw error;
    throw new FerryError(
      'unauthorized',
      `the server at ${client.baseUrl} refused this token (unknown, expired or revoked); nothing saved`,
    );
  });
  const file = saveCredentials(io.env, server, secret);
  if (json) {
    writeJson(io.stdout, { server: client.baseUrl, token, file });
  } else {
    const who = token ? `token ${token.id} "${token.name}" (${token.role})` : 'a token';
    writeLine(io.stderr, `logged in to ${client.baseUrl} with ${who}; saved in ${file}`);
  }
  if (io.env.FERRY_TOKEN) {
    writeLine(io.stderr, 'note: FERRY_TOKEN is set and is used instead while it is');
  }
  return exitCodes.ok;
}
