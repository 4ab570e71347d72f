import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort } from './free-port.js';
import { requestJson } from './test-fixtures.js';

/** The example service the runtime tests deploy; its knobs are what those tests rely on. */
const serverJs = fileURLToPath(new URL('../../../examples/hello/server.js', import.meta.url));
const children: ChildProcess[] = [];

interface Hello {
  readonly child: ChildProcess;
  readonly port: number;
  /** Exit code and signal; listened for from the spawn on, so an early exit is not missed. */
  readonly exited: Promise<unknown[]>;
}

/** Starts server.js and resolves once it says it listens (or with the exit, if it never does). */
async function startHello(env: Record<string, string>, waitListening = true): Promise<Hello> {
  const port = await allocatePort();
  const child = spawn(process.execPath, [serverJs], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), FERRY_INSTANCE: 'h-1', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  const exited = once(child, 'exit');
  if (waitListening) {
    const listening = new Promise<void>((resolve) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) resolve();
      });
    });
    await Promise.race([listening, exited]);
  }
  return { child, port, exited };
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('examples/hello/server.js', () => {
  it('answers / with its version, pid and instance, and /healthz with ok', async () => {
    const { child, port } = await startHello({ HELLO_VERSION: '2.1.0' });

    const root = await requestJson(port, '/');
    expect(root.status).toBe(200);
    expect(root.headers['x-version']).toBe('2.1.0');
    expect(root.body).toEqual({ version: '2.1.0', pid: child.pid, instance: 'h-1' });
    expect((await requestJson(port, '/healthz')).body).toEqual({ status: 'ok', version: '2.1.0' });
  });

  it('reports the version Ferry deployed (FERRY_VERSION) when no knob names one', async () => {
    const { port } = await startHello({ FERRY_VERSION: 'v7' });
    expect((await requestJson(port, '/')).headers['x-version']).toBe('v7');
  });

  it('fails every request at error rate 1, still naming its version', async () => {
    const { port } = await startHello({ HELLO_VERSION: 'bad', HELLO_ERROR_RATE: '1' });

    const response = await requestJson(port, '/');
    expect(response.status).toBe(500);
    expect(response.headers['x-version']).toBe('bad');
  });

  it('echoes other paths with method, headers and the length of the body', async () => {
    const { port } = await startHello({});

    const response = await requestJson(port, '/api/items?x=1', { method: 'POST', body: 'hello' });
    expect(response.status).toBe(200);
    expect(response.headers['x-version']).toBe('dev');
    expect(response.body).toMatchObject({
      method: 'POST',
      path: '/api/items',
      url: '/api/items?x=1',
      bodyBytes: 5,
      headers: { host: `127.0.0.1:${port}` },
    });
  });

  it('reports never-ready as 503 on /healthz while / keeps serving', async () => {
    const { port } = await startHello({ HELLO_NEVER_READY: 'true' });

    expect((await requestJson(port, '/healthz')).status).toBe(503);
    expect((await requestJson(port, '/')).status).toBe(200);
  });

  it('on SIGTERM finishes the request in flight with Connection: close, then exits 0', async () => {
    const { child, port, exited } = await startHello({ HELLO_LATENCY_MS: '700' });
    const inFlight = new Promise<{ status: number; connection: string | undefined }>(
      (resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
          );
        });
        req.on('error', reject);
        req.end();
      },
    );
    await new Promise((r) => setTimeout(r, 200));

    child.kill('SIGTERM');

    expect(await inFlight).toEqual({ status: 200, connection: 'close' });
    expect(await exited).toEqual([0, null]);
  });

  it('exits with 1 after crashAfterMs', async () => {
    const { exited } = await startHello({ HELLO_CRASH_AFTER_MS: '300' }, false);
    expect(await exited).toEqual([1, null]);
  });
});
