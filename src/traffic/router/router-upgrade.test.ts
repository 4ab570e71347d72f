import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from './router.js';
import { createRouterMetrics } from './router-metrics.js';
import { deadUpstream, rawClient, routingTable, send, startUpstream } from './test-upstreams.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const websocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * A WebSocket echo server (RFC 6455), enough for short text frames: no `ws` dependency. Plain
 * requests get `onRequest`, by default a 426.
 */
async function echoWebSocketUpstream(
  onRequest: RequestListener = (_req, res) => res.writeHead(426).end(),
) {
  const handshakes: IncomingHttpHeaders[] = [];
  const sockets: Socket[] = [];
  const upstream = await startUpstream('ws', onRequest);
  upstream.server.on('upgrade', (req, socket: Socket) => {
    handshakes.push(req.headers);
    sockets.push(socket);
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}${websocketGuid}`)
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let frame = readFrame(buffered); frame; frame = readFrame(buffered)) {
        buffered = buffered.subarray(frame.length);
        if (frame.opcode === 0x8) socket.end(encodeFrame(0x8, Buffer.alloc(0), false));
        else socket.write(encodeFrame(frame.opcode, frame.payload, false));
      }
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
  cleanups.push(async () => {
    upstream.server.closeAllConnections();
    await upstream.close();
  });
  return { upstream: upstream.upstream, handshakes, sockets };
}

/** A frame with a payload under 126 bytes; clients mask, servers do not. */
function encodeFrame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const header = Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  return Buffer.concat([header, mask, payload.map((byte, i) => byte ^ mask[i % 4]!)]);
}

function readFrame(buffer: Buffer) {
  if (buffer.length < 2) return undefined;
  const masked = (buffer[1]! & 0x80) !== 0;
  const size = buffer[1]! & 0x7f;
  const start = 2 + (masked ? 4 : 0);
  if (buffer.length < start + size) return undefined;
  const mask = buffer.subarray(2, 6);
  const payload = Buffer.from(buffer.subarray(start, start + size));
  if (masked) payload.forEach((byte, i) => (payload[i] = byte ^ mask[i % 4]!));
  return { opcode: buffer[0]! & 0x0f, payload, length: start + size };
}

function handshake(path = '/chat'): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: chat.example\r\nConnection: keep-alive, Upgrade\r\n` +
    'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`
  );
}

async function routerFor(upstream: Parameters<typeof routingTable>[0][number]) {
  const registry = new Registry();
  const metrics = createRouterMetrics(registry);
  const router = new Router({ metrics });
  cleanups.push(() => router.close());
  await router.apply(routingTable([upstream]));
  return { port: router.address('web', 'test')?.port ?? 0, metrics, router };
}

/** Opens a tunnel through the router and checks it carries a frame both ways. */
async function openTunnel(port: number) {
  const client = await rawClient(port, cleanups);
  client.socket.write(handshake());
  const head = (await client.until((b) => b.includes('\r\n\r\n'))).toString('latin1');
  client.take(head.indexOf('\r\n\r\n') + 4);
  client.socket.write(encodeFrame(0x1, Buffer.from('ping'), true));
  const frame = readFrame(await client.until((b) => readFrame(b) !== undefined))!;
  client.take(frame.length);
  expect(frame.payload.toString()).toBe('ping');
  return client;
}

describe('Router WebSocket pass-through', () => {
  it('tunnels the handshake and frames both ways', async () => {
    const ws = await echoWebSocketUpstream();
    const { port, metrics } = await routerFor(ws.upstream);
    const client = await rawClient(port, cleanups);

    client.socket.write(handshake());
    const head = (await client.until((b) => b.includes('\r\n\r\n'))).toString('latin1');
    client.take(head.indexOf('\r\n\r\n') + 4);

    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(ws.handshakes[0]).toMatchObject({
      connection: 'Upgrade',
      upgrade: 'websocket',
      host: 'chat.example',
      'x-forwarded-for': '127.0.0.1',
      via: '1.1 ferry',
    });
    for (const text of ['hello', 'through', 'ferry']) {
      client.socket.write(encodeFrame(0x1, Buffer.from(text), true));
      const frame = readFrame(await client.until((b) => readFrame(b) !== undefined))!;
      client.take(frame.length);
      expect(frame.payload.toString()).toBe(text);
    }
    client.socket.write(encodeFrame(0x8, Buffer.alloc(0), true));
    await client.ended;
    expect(metrics.snapshot('web', 'test').tracks.stable).toMatchObject({ requests: 1 });
  });

  it('answers 502 when the upstream refuses the connection', async () => {
    const dead = await deadUpstream('dead');
    const { port, metrics } = await routerFor(dead);
    const client = await rawClient(port, cleanups);

    client.socket.write(handshake());
    await client.ended;
    const response = (await client.until(() => true)).toString('latin1');

    expect(response).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    expect(response).toContain('"code":"upstream_unreachable"');
    expect(metrics.snapshot('web', 'test').tracks.stable).toMatchObject({ errors5xx: 1 });
  });

  it('closes each side of the tunnel when the other side goes away', async () => {
    const ws = await echoWebSocketUpstream();
    const { port } = await routerFor(ws.upstream);
    const [byUpstream, byClient] = [
      await rawClient(port, cleanups),
      await rawClient(port, cleanups),
    ];
    for (const client of [byUpstream, byClient]) {
      client.socket.write(handshake());
      await client.until((b) => b.includes('\r\n\r\n'));
    }
    const [upstreamOfFirst, upstreamOfSecond] = ws.sockets;
    const secondClosed = new Promise((resolve) => upstreamOfSecond!.once('close', resolve));

    upstreamOfFirst!.destroy();
    byClient.socket.destroy();

    await byUpstream.ended;
    await secondClosed;
  });
});

describe('Router tunnels to a draining upstream', () => {
  it('closes them when the drain timeout ends', async () => {
    const ws = await echoWebSocketUpstream();
    const { port, router } = await routerFor(ws.upstream);
    const client = await openTunnel(port);
    await router.apply(routingTable([]));

    await router.drain('ws', 300);

    await client.ended;
    await expect.poll(() => ws.sockets.every((socket) => socket.destroyed)).toBe(true);
  });

  it('closes them after tunnelsMs while a request in flight gets the whole drain', async () => {
    const events: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const ws = await echoWebSocketUpstream((req, res) => {
      req.resume();
      events.push('request arrived');
      void released.then(() => res.writeHead(200, { 'content-length': '4' }).end('done'));
    });
    const { port, router } = await routerFor(ws.upstream);
    const client = await openTunnel(port);
    const request = send(port, { path: '/slow' });
    await expect.poll(() => events).toEqual(['request arrived']);
    await router.apply(routingTable([]));

    const drained = router.drain('ws', 600_000, 200).then(() => events.push('drained'));
    await client.ended;
    events.push('tunnel closed');
    events.push('request released');
    release();
    const response = await request;
    await drained;

    expect(events).toEqual(['request arrived', 'tunnel closed', 'request released', 'drained']);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('done');
  });

  it('ends the drain once only tunnels were left and they were closed', async () => {
    const ws = await echoWebSocketUpstream();
    const { port, router } = await routerFor(ws.upstream);
    const clients = [await openTunnel(port), await openTunnel(port)];
    await router.apply(routingTable([]));

    // A ten-minute drain: the test would time out if the tunnels held it.
    await router.drain('ws', 600_000, 100);

    await Promise.all(clients.map((client) => client.ended));
  });
});
