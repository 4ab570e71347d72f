import { writeSync } from 'node:fs';
import { pino, type Logger } from 'pino';

/**
 * The router's logger: pino lines written straight to stderr (the spawner points it at
 * `router/router.log`). A write that fails (disk full, read-only, a closed pipe) drops the line:
 * logging never stops the router from serving.
 */
export function createRouterLog(role: 'primary' | 'worker'): Logger {
  guardStdio();
  const destination = {
    write(line: string): void {
      try {
        writeSync(2, line);
      } catch {
        // Dropped: nowhere to say so.
      }
    },
  };
  return pino(
    { base: { pid: process.pid, role }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
}

/** Node's own writes to stdout/stderr (warnings) must not crash the process either. */
export function guardStdio(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
}
