import type { CliIo } from './cli-io.js';
import { resolveCredentials } from './credentials.js';
import { FerryClient } from './ferry-client.js';
import { UsageError } from './usage-error.js';

/** What every command handler gets: the outside world, the shared options and an API client. */
export interface CommandContext {
  readonly io: CliIo;
  /** `--json`: only JSON on stdout. */
  readonly json: boolean;
  /** `--server`, else FERRY_SERVER, else the local default. */
  readonly serverUrl: string;
  /**
   * The API client, sending `FERRY_TOKEN` or the token `ferry login` saved for this server; built
   * on first use so commands without a server never check the URL.
   */
  client(): FerryClient;
}

export const defaultServerUrl = 'http://127.0.0.1:7700';

export function commandContext(
  io: CliIo,
  shared: { server: string; json: boolean },
): CommandContext {
  let client: FerryClient | undefined;
  return {
    io,
    json: shared.json,
    serverUrl: shared.server,
    client() {
      if (!client) {
        const url = checkServerUrl(shared.server);
        client = new FerryClient(url, resolveCredentials(io.env, url));
      }
      return client;
    },
  };
}

/** The `--server` URL, or a UsageError saying what an acceptable one looks like. */
export function checkServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server "${text}" is not a URL; expected e.g. http://127.0.0.1:7700`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server "${text}" must be an http:// or https:// URL`);
  }
  return text;
}
