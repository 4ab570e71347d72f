/**
 * A list of listeners. A listener that throws does not keep the others from hearing the event,
 * nor the runtime from going on; its error becomes a process warning.
 */
export class EventHub<E> {
  private readonly listeners = new Set<(event: E) => void>();

  /** Returns the function that unsubscribes the listener. */
  subscribe(listener: (event: E) => void): () => void {
    const entry = (event: E): void => listener(event);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  emit(event: E): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), {
          code: 'FERRY_EVENT_LISTENER',
        });
      }
    }
  }
}
