import { closeSync, mkdirSync, openSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `logs/<service>/<environment>/<instanceId>.log` under the runtime's data folder. */
export function instanceLogPath(
  dataDir: string,
  service: string,
  environment: string,
  instanceId: string,
): string {
  return join(dataDir, 'logs', service, environment, `${instanceId}.log`);
}

/**
 * Finds the log of an instance this server does not know (stopped, or started by an earlier
 * server) by looking through `logs/<service>/<environment>/`. Undefined when there is none.
 */
export async function findInstanceLog(
  dataDir: string,
  instanceId: string,
): Promise<string | undefined> {
  if (instanceId.includes('/') || instanceId.startsWith('.')) return undefined;
  const logs = join(dataDir, 'logs');
  for (const service of await readdirOrEmpty(logs)) {
    for (const environment of await readdirOrEmpty(join(logs, service))) {
      const files = await readdirOrEmpty(join(logs, service, environment));
      if (files.includes(`${instanceId}.log`)) {
        return instanceLogPath(dataDir, service, environment, instanceId);
      }
    }
  }
  return undefined;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/**
 * Opens the log file for appending and returns its descriptor. The descriptor is handed to the
 * child as stdout and stderr, so the child writes to the file itself and never depends on the
 * server being alive. Restarts append to the same file. Logs are the server's alone: folders
 * `0700`, files `0600`.
 */
export function openLogFile(path: string): number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return openSync(path, 'a', 0o600);
}

export function closeLogFile(fd: number): void {
  closeSync(fd);
}

/**
 * The last `lines` lines of a file, read backwards in chunks so a large log costs only its tail.
 * A missing file has no lines.
 */
export async function tailFile(
  path: string,
  lines: number,
  chunkBytes = 64 * 1024,
): Promise<string[]> {
  if (lines <= 0) return [];
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // One newline more than wanted: the text after it is complete, even if the file ends in one.
    while (position > 0 && newlines <= lines) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines += 1;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    if (position > 0) all.shift(); // the first line was cut by the chunk boundary
    return all.slice(-lines);
  } finally {
    await handle.close();
  }
}
