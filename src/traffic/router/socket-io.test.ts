import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectWriter, directIoAvailable, readIntoBuffer } from './socket-io.js';

/** A loopback pair: `accepted` is the server's side of the connection `client` made. */
async function socketPair(): Promise<{ server: Server; client: Socket; accepted: Socket }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepting = once(server, 'connection') as Promise<[Socket]>;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [accepted] = await accepting;
  return { server, client, accepted };
}

/** Everything `socket` receives until it ends. */
async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  return Buffer.concat(chunks);
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function pair() {
  const p = await socketPair();
  cleanups.push(() => {
    p.client.destroy();
    p.accepted.destroy();
    p.server.close();
  });
  return p;
}

describe('DirectWriter', () => {
  it('is available on the Node this project runs on', () => {
    expect(directIoAvailable).toBe(true);
  });

  for (const direct of [true, false]) {
    it(`keeps the order of strings, buffers and stream writes (${direct ? 'direct' : 'stream'})`, async () => {
      const { client, accepted } = await pair();
      const received = readAll(client);
      const writer = new DirectWriter(accepted, () => undefined, direct);
      const expected: Buffer[] = [];
      for (let i = 0; i < 200; i++) {
        const text = `line ${i} é\r\n`;
        writer.write(text);
        expected.push(Buffer.from(text, 'latin1'));
        if (i % 7 === 0) {
          const bytes = Buffer.from(`buffer ${i};`);
          writer.write(bytes);
          expected.push(bytes);
        }
        if (i % 13 === 0) {
          // A write through the stream in between (what node:http does after a hand-over).
          const bytes = Buffer.from(`stream ${i};`);
          accepted.write(bytes);
          expected.push(bytes);
        }
      }
      accepted.end();
      expect((await received).equals(Buffer.concat(expected))).toBe(true);
    });
  }

  it('reports a write that waits, then drains, and every byte arrives', async () => {
    const { client, accepted } = await pair();
    client.pause();
    let drains = 0;
    const writer = new DirectWriter(accepted, () => drains++);
    // Far more than the socket buffers hold while the reader is paused: some must queue.
    const block = Buffer.alloc(1024 * 1024, 0x61);
    let waited = false;
    for (let i = 0; i < 16 && !waited; i++) waited = !writer.write(block);
    expect(waited).toBe(true);
    expect(writer.drained).toBe(false);
    const received = readAll(client);
    client.resume();
    await new Promise<void>((resolve) => {
      const check = () => (writer.drained ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(drains).toBe(1);
    accepted.end();
    const bytes = await received;
    expect(bytes.length % block.length).toBe(0);
    expect(bytes.every((b) => b === 0x61)).toBe(true);
  });

  it('writes nothing and throws nothing on a destroyed socket', async () => {
    const { accepted } = await pair();
    accepted.destroy();
    const writer = new DirectWriter(accepted, () => undefined);
    expect(() => writer.write('late')).not.toThrow();
  });
});

describe('readIntoBuffer', () => {
  it('reads into the given buffer, pauses on false, resumes, and still ends', async () => {
    const { client, accepted } = await pair();
    const buffer = Buffer.alloc(16);
    const seen: string[] = [];
    let pauseNext = true;
    expect(
      readIntoBuffer(accepted, buffer, (bytes) => {
        seen.push(buffer.toString('latin1', 0, bytes));
        if (pauseNext) {
          pauseNext = false;
          return false;
        }
        return true;
      }),
    ).toBe(true);
    client.write('first');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['first']);
    client.write('second, longer than sixteen bytes');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Paused: nothing more is read until resume.
    expect(seen).toEqual(['first']);
    const ended = once(accepted, 'end');
    accepted.resume();
    client.end();
    await ended;
    expect(seen.slice(1).join('')).toBe('second, longer than sixteen bytes');
    expect(seen.slice(1).every((chunk) => chunk.length <= 16)).toBe(true);
  });
});
