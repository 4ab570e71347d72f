import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type SpecOf } from '../features/analysis/metric-provider.js';
import { allocatePort } from '../runtime/local/free-port.js';
import { testContext } from './test-context.js';
import { WebProvider } from './web-provider.js';

const stats = {
  errors: { rate: 0.25 },
  items: [{ p99: 120 }, { p99: 80 }],
  'x-y': { healthy: true },
};

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const send = (status: number, body: string, type = 'text/plain') => {
    response.writeHead(status, { 'content-type': type }).end(body);
  };
  switch (request.url) {
    case '/stats':
      return send(200, JSON.stringify(stats), 'application/json');
    case '/plain':
      return send(200, '  all good \n');
    case '/number':
      return send(200, '0.5');
    case '/empty':
      return send(204, '');
    case '/unavailable':
      return send(503, 'overloaded\n');
    case '/big':
      return send(200, 'x'.repeat(2 * 1024 * 1024));
    case '/echo': {
      const body = await readBody(request);
      const echo = { method: request.method, token: request.headers['x-token'], body };
      return send(200, JSON.stringify(echo), 'application/json');
    }
    case '/hang':
      return; // never answers
    default:
      return send(404, 'not found');
  }
}

let server: Server;
let base: string;
const provider = new WebProvider();

function spec(path: string, extra: Partial<SpecOf<'web'>> = {}): SpecOf<'web'> {
  return {
    kind: 'web',
    url: `${base}${path}`,
    method: 'GET',
    headers: {},
    timeoutMs: 10_000,
    ...extra,
  };
}

beforeAll(async () => {
  server = createServer((request, response) => void handle(request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('WebProvider', () => {
  it('takes the JSON body, narrowed by jsonPath', async () => {
    const ctx = testContext();
    expect(await provider.measure(spec('/stats'), ctx)).toEqual({ value: stats });
    expect(await provider.measure(spec('/stats', { jsonPath: '$.errors.rate' }), ctx)).toEqual({
      value: 0.25,
    });
    expect(await provider.measure(spec('/stats', { jsonPath: '$.items[1].p99' }), ctx)).toEqual({
      value: 80,
    });
    const quoted = spec('/stats', { jsonPath: "$['x-y'].healthy" });
    expect(await provider.measure(quoted, ctx)).toEqual({ value: true });
  });

  it('takes a body that is not JSON as its trimmed text, and no body as no data', async () => {
    expect(await provider.measure(spec('/plain'), testContext())).toEqual({ value: 'all good' });
    expect(await provider.measure(spec('/number'), testContext())).toEqual({ value: 0.5 });
    expect(await provider.measure(spec('/empty'), testContext())).toEqual({ value: null });
  });

  it('sends the method, headers and body of the spec', async () => {
    const call = spec('/echo', { method: 'post', headers: { 'x-token': 's3cret' }, body: 'q=1' });
    expect(await provider.measure(call, testContext())).toEqual({
      value: { method: 'POST', token: 's3cret', body: 'q=1' },
    });
  });

  it('fails on a status it does not expect, showing the start of the body', async () => {
    const error = await provider.measure(spec('/unavailable'), testContext()).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe(
      `GET ${base}/unavailable: status 503, expected 2xx (body: overloaded)`,
    );
    const expected = spec('/unavailable', { expectStatus: [503] });
    expect(await provider.measure(expected, testContext())).toEqual({ value: 'overloaded' });
    await expect(
      provider.measure(spec('/stats', { expectStatus: [201, 202] }), testContext()),
    ).rejects.toThrow('status 200, expected 201 or 202');
  });

  it('says where a jsonPath stops matching', async () => {
    const missing = spec('/stats', { jsonPath: '$.errors.count' });
    await expect(provider.measure(missing, testContext())).rejects.toThrow(
      `GET ${base}/stats: jsonPath '$.errors.count' found nothing: $.errors has no key 'count' (it has rate)`,
    );
    const invalid = spec('/stats', { jsonPath: '$.errors[' });
    await expect(provider.measure(invalid, testContext())).rejects.toThrow(
      "jsonPath '$.errors[': expected an index or a quoted key after '[' at column 10",
    );
  });

  it('times out on a server that never answers', async () => {
    const error = await provider
      .measure(spec('/hang', { timeoutMs: 300 }), testContext())
      .catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe(`GET ${base}/hang: timed out after 300ms`);
  });

  it('rejects with the caller reason, not a ProviderError, when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = provider.measure(spec('/hang'), testContext({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('rollout aborted')), 100);
    const error = await pending.catch((e) => e);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(error.message).toBe('rollout aborted');
  });

  it('refuses a response over 1 MiB', async () => {
    await expect(provider.measure(spec('/big'), testContext())).rejects.toThrow(
      `GET ${base}/big: response larger than 1 MiB`,
    );
  });

  it('reports a server that is not there as connection refused', async () => {
    const port = await allocatePort();
    const call = { ...spec('/stats'), url: `http://127.0.0.1:${port}/stats` };
    await expect(provider.measure(call, testContext())).rejects.toThrow(
      new ProviderError(`GET http://127.0.0.1:${port}/stats: connection refused`),
    );
  });

  it('keeps a password in the URL out of its messages', async () => {
    const url = `${base.replace('http://', 'http://ferry:hunter2@')}/unavailable`;
    const error = await provider.measure({ ...spec(''), url }, testContext()).catch((e) => e);
    expect(error.message).toContain('http://ferry:***@127.0.0.1');
    expect(error.message).not.toContain('hunter2');
  });
});
