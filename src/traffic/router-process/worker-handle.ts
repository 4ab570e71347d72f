import type { Worker } from 'node:cluster';
import { FerryError, errorCodes, type ErrorCode } from '../../errors/ferry-error.js';
import type { WorkerEnvelope, WorkerReply, WorkerRequest } from './worker-messages.js';

/**
 * The primary's side of one worker process: requests over IPC, each answered by id. A worker that
 * exits fails what it had not answered.
 */
export class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void }
  >();
  /** Resolves with the worker's first message: it answers IPC now. */
  readonly hello: Promise<void>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Set once the primary retires or closes it: its exit is expected. */
  leaving = false;

  constructor(readonly worker: Worker) {
    let helloResolve: () => void = () => undefined;
    this.hello = new Promise((resolve) => (helloResolve = resolve));
    worker.on('message', (message: WorkerReply | { hello: true }) => {
      if ('hello' in message) {
        helloResolve();
        return;
      }
      const waiting = this.pending.get(message.id);
      if (waiting === undefined) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.result);
      else waiting.reject(replyError(message.error));
    });
    this.exited = new Promise((resolve) => {
      worker.once('exit', () => {
        for (const waiting of this.pending.values()) {
          waiting.reject(new FerryError('internal', `router worker ${this.pid} exited`));
        }
        this.pending.clear();
        resolve();
      });
    });
  }

  get pid(): number {
    return this.worker.process.pid ?? 0;
  }

  /** Sends a request and resolves with the worker's answer. */
  request<T>(request: WorkerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const envelope: WorkerEnvelope = { ...request, id };
      try {
        this.worker.send(envelope, undefined, (error: Error | null) => {
          if (error === null) return;
          this.pending.delete(id);
          reject(new FerryError('internal', `router worker ${this.pid}: ${error.message}`));
        });
      } catch (error) {
        this.pending.delete(id);
        reject(
          new FerryError('internal', `router worker ${this.pid}: ${(error as Error).message}`),
        );
      }
    });
  }
}

function replyError(error: { readonly code: string; readonly message: string }): FerryError {
  const code = (error.code in errorCodes ? error.code : 'internal') as ErrorCode;
  return new FerryError(code, error.message);
}
