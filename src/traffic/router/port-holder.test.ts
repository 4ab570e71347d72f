import { createServer, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { describePortHolder, findPortHolder, listeningInodes } from './port-holder.js';

const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
`;

describe('listeningInodes', () => {
  it('finds the listening sockets of a port, not its connections', () => {
    expect(listeningInodes(table, 8080)).toEqual([4242]);
    expect(listeningInodes(table, 8081)).toEqual([4444]);
    expect(listeningInodes(table, 9999)).toEqual([]);
  });
});

describe('findPortHolder', () => {
  let server: Server | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  afterEach(() => {
    server?.close();
    child?.kill('SIGKILL');
    server = child = undefined;
  });

  it('names this process when it listens on the port', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    expect(findPortHolder(port)?.pid).toBe(process.pid);
    expect(describePortHolder(port)).toContain(`this ferry server itself (pid ${process.pid})`);
  });

  it('names another process and its command line', async () => {
    const script =
      "require('net').createServer().listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) =>
      child!.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    expect(findPortHolder(port)).toEqual({
      pid: child.pid,
      command: expect.stringContaining(`${process.execPath} -e require('net')`),
    });
    expect(describePortHolder(port)).toMatch(new RegExp(`^by pid ${child.pid} \\(`));
  });

  it('is undefined for a port nobody listens on', () => {
    expect(findPortHolder(1)).toBeUndefined();
  });
});
