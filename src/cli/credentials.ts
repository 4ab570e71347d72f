import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { FerryError } from '../errors/ferry-error.js';
import { dirname, join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** A token the CLI sends, and where it came from (for error messages, never the token). */
export interface ApiCredentials {
  readonly token: string;
  /** `FERRY_TOKEN` or the credentials file's path. */
  readonly from: string;
}

interface CredentialsFile {
  servers: Record<string, { token: string }>;
}

/**
 * `$XDG_CONFIG_HOME/ferry/credentials.json`, else `~/.config/ferry/credentials.json`: the tokens
 * `ferry login` saved, keyed by server URL.
 */
export function credentialsPath(env: Env): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'ferry', 'credentials.json');
}

/** The key a server URL is saved under: `http://127.0.0.1:7700/` and `…:7700` are one server. */
export function serverKey(url: string): string {
  return new URL(url).href.replace(/\/+$/, '');
}

/** `FERRY_TOKEN` when set, else the token `ferry login` saved for this server, else none. */
export function resolveCredentials(env: Env, serverUrl: string): ApiCredentials | undefined {
  const fromEnv = env.FERRY_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, from: 'FERRY_TOKEN' };
  const file = credentialsPath(env);
  const saved = readCredentials(file).servers[serverKey(serverUrl)]?.token;
  return saved ? { token: saved, from: file } : undefined;
}

/**
 * Saves `token` for `serverUrl`, replacing any other for it. The folder is created 0700 and the
 * file written 0600 through a temporary file, so it is never readable by others, even briefly.
 */
export function saveCredentials(env: Env, serverUrl: string, token: string): string {
  const file = credentialsPath(env);
  const credentials = readCredentials(file);
  credentials.servers[serverKey(serverUrl)] = { token };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return file;
}

function readCredentials(file: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { servers: {} };
  }
  let parsed: Partial<CredentialsFile> | null;
  try {
    parsed = JSON.parse(text) as Partial<CredentialsFile> | null;
  } catch {
    throw new FerryError(
      'invalid_request',
      `${file} is not valid JSON; delete it and run "ferry login" again`,
    );
  }
  return { servers: { ...(parsed?.servers ?? {}) } };
}
