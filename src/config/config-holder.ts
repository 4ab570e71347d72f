import type { FerryConfig } from './ferry-config.js';

/**
 * The configuration the server runs with now. `ferry apply` and SIGHUP replace it whole; readers
 * take `current` each time they need it and never keep a copy, so a reload reaches them all.
 * A running rollout does not read it: it follows the spec its deployment stored.
 */
export class ConfigHolder {
  private config: FerryConfig;
  private readonly listeners = new Set<(next: FerryConfig, previous: FerryConfig) => void>();

  constructor(config: FerryConfig) {
    this.config = config;
  }

  get current(): FerryConfig {
    return this.config;
  }

  /** Replaces the configuration and tells every listener, in the order they subscribed. */
  replace(next: FerryConfig): void {
    const previous = this.config;
    this.config = next;
    for (const listener of this.listeners) listener(next, previous);
  }

  /** Calls `listener` after each replace; returns the function that unsubscribes it. */
  onChange(listener: (next: FerryConfig, previous: FerryConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
