import { FerryError } from '../../errors/ferry-error.js';
import { routerSettingsSchema } from '../control/control-protocol.js';
import { guardStdio } from './router-log.js';
import { RouterWorker } from './router-worker.js';
import type { WorkerEnvelope, WorkerReply } from './worker-messages.js';

/**
 * Entry of a `ferry router` worker process (the cluster primary forks this file with
 * `FERRY_ROUTER_SETTINGS` in its environment): serves the tables the primary sends, answers its
 * requests, and exits once retired or closed, or when the primary is gone.
 */
function runWorker(): void {
  guardStdio();
  const settings = routerSettingsSchema.parse(
    JSON.parse(process.env['FERRY_ROUTER_SETTINGS'] ?? ''),
  );
  const worker = new RouterWorker(settings);
  const send = (message: unknown, then: () => void = () => undefined) => {
    if (process.connected) process.send?.(message, undefined, {}, then);
    else then();
  };
  process.on('message', (message: WorkerEnvelope) => {
    if (typeof message !== 'object' || message === null || typeof message.id !== 'number') return;
    worker.handle(message).then(
      (result) => {
        const reply: WorkerReply = { id: message.id, ok: true, result: result ?? null };
        const last = message.op === 'retire' || message.op === 'close';
        send(reply, last ? () => process.exit(0) : undefined);
      },
      (error: unknown) => {
        const reply: WorkerReply = {
          id: message.id,
          ok: false,
          error: {
            code: error instanceof FerryError ? error.code : 'internal',
            message: (error as Error).message,
          },
        };
        send(reply);
      },
    );
  });
  // The primary gone (killed): nothing routes tables here any more; the primary that replaces it
  // forks its own workers.
  process.on('disconnect', () => {
    void worker.handle({ op: 'close', graceMs: 2_000 }).finally(() => process.exit(0));
  });
  // The primary handles signals for the whole router; a Ctrl-C on the terminal reaches every
  // process of the group, and the workers wait for the primary to retire them.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  process.on('SIGUSR2', () => undefined);
  send({ hello: true });
}

runWorker();
