import type { CliIo } from './cli-io.js';

/** An AbortSignal for "the user asked to stop", and a function to stop listening for it. */
export interface Interrupt {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * The injected signal when there is one (tests), else one that fires on SIGINT or SIGTERM.
 * Installed only by commands that wait indefinitely, so every other command keeps Node's default
 * Ctrl-C behaviour.
 */
export function interruptSignal(io: CliIo): Interrupt {
  if (io.signal) return { signal: io.signal, dispose: () => undefined };
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** Resolves when the signal fires (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/** Waits `ms`, or less if the signal fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
