import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { CliIo } from '../../cli-io.js';
import { UsageError } from '../../usage-error.js';

/**
 * The token `ferry login` saves: asked for without echo on a terminal, else read whole from
 * stdin (`ferry login < token.txt`). Never taken from an argument, where `ps` would show it.
 */
export async function readToken(io: CliIo): Promise<string> {
  const stdin = io.stdin;
  if (!stdin) throw new UsageError('ferry login reads the token from stdin; pipe it in');
  const text = stdin.isTTY ? await prompt(stdin, io) : await readAll(stdin);
  const token = text.trim();
  if (token === '') throw new UsageError('no token given; pipe one into "ferry login" or paste it');
  if (/\s/.test(token)) throw new UsageError('a token is one word; got several');
  return token;
}

async function prompt(stdin: NodeJS.ReadableStream, io: CliIo): Promise<string> {
  io.stderr.write('API token (input hidden): ');
  // Echo goes to a sink that drops it: the terminal is raw, so nothing shows.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lines = createInterface({ input: stdin, output: silent, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      lines.once('close', () => reject(new UsageError('no token given')));
    });
  } finally {
    lines.close();
    io.stderr.write('\n');
  }
}

async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += chunk.toString();
  return text;
}
