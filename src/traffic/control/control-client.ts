import { Agent, request } from 'undici';
import { FerryError, errorCodes, type ErrorCode } from '../../errors/ferry-error.js';
import type { RouterState } from './control-protocol.js';

/**
 * HTTP to a router's control channel: bearer token, JSON both ways, the router's errors back as
 * FerryError with the same code, and a clear error when the router does not answer.
 */
export class ControlClient {
  private readonly agent = new Agent({ keepAliveTimeout: 4_000, connections: 8 });

  constructor(private readonly state: RouterState) {}

  async call<T>(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const text = await this.text(method, path, body);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  async text(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<string> {
    let response;
    try {
      response = await request(`${this.state.control}${path}`, {
        method,
        dispatcher: this.agent,
        headers: {
          authorization: `Bearer ${this.state.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new FerryError(
        'server_unreachable',
        `the router (pid ${this.state.pid}) does not answer at ${this.state.control} (${code}); ` +
          'it may have stopped: start it again or let ferry server do so',
        { cause: error },
      );
    }
    const text = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) return text;
    throw routerError(response.statusCode, text);
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.agent.closed || this.agent.destroyed) return;
    await this.agent.close();
  }
}

function routerError(status: number, text: string): FerryError {
  try {
    const { error } = JSON.parse(text) as {
      error?: { code?: string; message?: string } & Record<string, unknown>;
    };
    if (error?.code !== undefined && error.code in errorCodes) {
      // The router's own fields (such as a refused table's `listen`) come through as `extra`.
      const { code, message, details: _details, ...extra } = error;
      return new FerryError(code as ErrorCode, message ?? `router answered ${status}`, { extra });
    }
  } catch {
    // Not the router's JSON: said below.
  }
  return new FerryError('internal', `the router answered ${status}: ${text.slice(0, 200)}`);
}
