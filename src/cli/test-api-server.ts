import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FerryEvent } from './api-types.js';
import type { CliIo } from './cli-io.js';

/** A request the fake API received, body as text (or byte count for binary uploads). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * An answer: JSON with a status, or server-sent events (left open until the client leaves, unless
 * `end`).
 */
export type FakeAnswer =
  | { readonly status?: number; readonly json: unknown }
  | { readonly events: readonly FerryEvent[]; readonly end?: boolean };

export type FakeRoutes = (request: RecordedRequest) => FakeAnswer | undefined;

export interface FakeApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on a free port playing the Ferry API for CLI tests: the routes function
 * decides each answer; unknown routes get the server's 404 body. Test-only.
 */
export async function startFakeApi(routes: FakeRoutes): Promise<FakeApi> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      const answer = routes(recorded);
      if (answer && 'events' in answer) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': fake\n\n');
        for (const e of answer.events) {
          res.write(`id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
        }
        if (answer.end) res.end();
        return;
      }
      const status = answer ? (answer.status ?? 200) : 404;
      const json = answer
        ? answer.json
        : { error: { code: 'not_found', message: `no route ${req.method} ${url.pathname}` } };
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A CliIo writing into strings, for asserting what a user would see. */
export function captureIo(options: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    isTTY: false,
    pollIntervalMs: 5,
    ...options,
  };
  return { io, stdout: () => stdout, stderr: () => stderr };
}
