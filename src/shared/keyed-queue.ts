import type { ScopeLock } from './scope-lock.js';

/**
 * Runs work one at a time per key, in call order; different keys run concurrently. A failed
 * task does not block the ones after it.
 */
export class KeyedQueue implements ScopeLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
