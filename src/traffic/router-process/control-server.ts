import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ZodError, type z } from 'zod';
import { FerryError } from '../../errors/ferry-error.js';
import { listenerKinds, type ListenerKind } from '../../features/routing/traffic-router.js';
import {
  controlPaths,
  deleteTableSchema,
  drainSchema,
  openWindowSchema,
  putTableSchema,
  routerSettingsSchema,
} from '../control/control-protocol.js';
import type { RouterPrimary } from './router-primary.js';

const maxBodyBytes = 16 * 1024 * 1024;

export interface ControlServerOptions {
  readonly primary: RouterPrimary;
  readonly token: string;
  readonly log: Logger;
  /** `POST /v1/shutdown` answered: the caller closes the router. */
  readonly onShutdown: () => void;
}

/**
 * The router's control channel: node:http on a loopback port (no framework: the router starts
 * in milliseconds), bearer token, zod-checked bodies, errors as `{ error: { code, message } }`.
 */
export async function startControlServer(
  options: ControlServerOptions,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => sendError(options.log, res, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

async function handle(
  options: ControlServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!authorized(req, options.token)) {
    throw new FerryError(
      'unauthorized',
      'the router wants "Authorization: Bearer <token>" from router.json',
    );
  }
  const url = new URL(req.url ?? '/', 'http://router');
  const { primary } = options;
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const route = `${method} ${path}`;
  switch (route) {
    case `GET ${controlPaths.health}`:
      return send(res, 200, primary.health());
    case `GET ${controlPaths.tables}`:
      return send(res, 200, primary.tables());
    case `PUT ${controlPaths.tables}`: {
      const body = await bodyOf(req, putTableSchema);
      return send(res, 200, await primary.apply(body.generation, body.table));
    }
    case `DELETE ${controlPaths.tables}`: {
      const body = await bodyOf(req, deleteTableSchema);
      return send(
        res,
        200,
        await primary.remove(body.generation, body.service, body.environment, body.listener),
      );
    }
    case `POST ${controlPaths.drain}`: {
      const body = await bodyOf(req, drainSchema);
      await primary.drain(body.upstreamId, body.timeoutMs, body.tunnelsMs);
      return send(res, 200, {});
    }
    case `GET ${controlPaths.figures}`: {
      const service = requiredParam(url, 'service');
      const environment = requiredParam(url, 'environment');
      return send(res, 200, await primary.figures(service, environment, listenerParam(url)));
    }
    case `POST ${controlPaths.windows}`: {
      const body = await bodyOf(req, openWindowSchema);
      return send(res, 200, {
        id: await primary.openWindow(body.service, body.environment, body.maxLatencySamples),
      });
    }
    case `PUT ${controlPaths.settings}`: {
      await primary.configure(await bodyOf(req, routerSettingsSchema));
      return send(res, 200, {});
    }
    case `POST ${controlPaths.upgrade}`:
      return send(res, 200, { workers: await primary.upgrade() });
    case `POST ${controlPaths.shutdown}`:
      send(res, 200, {});
      res.once('finish', options.onShutdown);
      return;
    case `GET ${controlPaths.metrics}`: {
      const text = await primary.metricsText();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
      return;
    }
  }
  const windowId = path.startsWith(`${controlPaths.windows}/`)
    ? decodeURIComponent(path.slice(controlPaths.windows.length + 1))
    : undefined;
  if (windowId !== undefined && method === 'GET')
    return send(res, 200, await primary.readWindow(windowId));
  if (windowId !== undefined && method === 'DELETE') {
    await primary.closeWindow(windowId);
    return send(res, 200, {});
  }
  throw new FerryError('not_found', `the router has no ${route}`);
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function bodyOf<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.infer<S>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new FerryError('invalid_request', 'request body over 16 MiB');
    chunks.push(chunk);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new FerryError('invalid_request', 'the request body is not JSON');
  }
  return schema.parse(json);
}

function requiredParam(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (!value) throw new FerryError('invalid_request', `query parameter "${name}" is required`);
  return value;
}

function listenerParam(url: URL): ListenerKind {
  const value = url.searchParams.get('listener') ?? 'main';
  const kind = listenerKinds.find((candidate) => candidate === value);
  if (kind === undefined)
    throw new FerryError('invalid_request', `listener must be main or preview, got "${value}"`);
  return kind;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
}

function sendError(log: Logger, res: ServerResponse, error: unknown): void {
  let ferry: FerryError;
  if (error instanceof FerryError) ferry = error;
  else if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where =
      issue === undefined || issue.path.length === 0 ? 'body' : `/${issue.path.join('/')}`;
    ferry = new FerryError('invalid_request', `${where}: ${issue?.message ?? 'invalid'}`);
  } else {
    log.error({ err: error }, 'router control request failed');
    ferry = new FerryError('internal', (error as Error).message);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, ferry.status, ferry.toJSON());
}
