import { createConnection } from 'node:net';

/**
 * Sends one line to an HAProxy CLI socket (the Runtime API or the master CLI) and resolves with
 * everything it answers before closing. Several commands may share the line, separated by `;`.
 * Rejects when the socket is absent or refuses, or after `timeoutMs`.
 */
export function sendCommand(
  socketPath: string,
  command: string,
  timeoutMs = 5_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`haproxy did not answer "${command}" on ${socketPath} in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** One row of `show stat`: the columns Ferry reads, by name. */
export interface StatRow {
  readonly proxy: string;
  readonly server: string;
  /** Sessions now (`scur`): requests in flight to a server. */
  readonly current: number;
  /** Sessions in total (`stot`): one per request on an HTTP server. */
  readonly total: number;
  /** Responses with a 5xx status from the server (`hrsp_5xx`). */
  readonly responses5xx: number;
  /** Responses HAProxy had to give up on: the server aborted or sent garbage (`eresp`). */
  readonly responseErrors: number;
  /** Average time to the response head over the last 1024 requests, ms (`rtime`). */
  readonly responseMs: number;
  /** Average total time of a request over the last 1024 requests, ms (`ttime`). */
  readonly totalMs: number;
}

/** Parses the CSV `show stat` prints (a `# pxname,svname,...` header, then one row per line). */
export function parseStat(csv: string): StatRow[] {
  const lines = csv.split('\n').filter((line) => line.length > 0);
  const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
  const column = (name: string) => header.indexOf(name);
  const at = {
    proxy: column('pxname'),
    server: column('svname'),
    current: column('scur'),
    total: column('stot'),
    responses5xx: column('hrsp_5xx'),
    responseErrors: column('eresp'),
    responseMs: column('rtime'),
    totalMs: column('ttime'),
  };
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const number = (index: number) => Number(cells[index] ?? '') || 0;
    return {
      proxy: cells[at.proxy] ?? '',
      server: cells[at.server] ?? '',
      current: number(at.current),
      total: number(at.total),
      responses5xx: number(at.responses5xx),
      responseErrors: number(at.responseErrors),
      responseMs: number(at.responseMs),
      totalMs: number(at.totalMs),
    };
  });
}

/** One `show proc` of the master CLI: the reload counters and the workers' pids. */
export interface ProcessList {
  readonly masterPid: number;
  readonly reloads: number;
  readonly failedReloads: number;
  /** The current worker first, then workers a reload left finishing their requests. */
  readonly workers: readonly { readonly pid: number; readonly reloads: number }[];
}

/** Parses `show proc` (HAProxy 2.6: `<pid> master <reloads> [failed: <n>] ...`, then workers). */
export function parseProcessList(text: string): ProcessList | undefined {
  const master = /^(\d+)\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/m.exec(text);
  if (master === null) return undefined;
  const workers = [...text.matchAll(/^(\d+)\s+worker\s+(\d+)/gm)].map((m) => ({
    pid: Number(m[1]),
    reloads: Number(m[2]),
  }));
  return {
    masterPid: Number(master[1]),
    reloads: Number(master[2]),
    failedReloads: Number(master[3]),
    workers,
  };
}
