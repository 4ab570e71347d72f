import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A logger that keeps what is logged at error level, for a test to look at, and prints nothing. */
export function capturedLogger(): { readonly logger: Logger; readonly logged: string[] } {
  const logged: string[] = [];
  const logger = pino(
    { level: 'error' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    }),
  );
  return { logger, logged };
}
