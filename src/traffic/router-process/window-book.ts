import { randomUUID } from 'node:crypto';
import type { Track } from '../../features/routing/traffic-router.js';
import type { TrackSample } from '../../features/routing/traffic-samples.js';
import { FerryError } from '../../errors/ferry-error.js';
import { defaultMaxLatencySamples } from '../router/sample-windows.js';
import { mergeSamples } from './merged-samples.js';
import type { WorkerWindowRead } from './worker-messages.js';

/** How long a closed window stays readable. */
export const closedWindowTtlMs = 10 * 60_000;

/** One worker's read of a window. */
export interface PidRead {
  readonly pid: number;
  readonly read: WorkerWindowRead;
}

/** A sample window as the primary knows it. */
export interface OpenedWindow {
  readonly id: string;
  readonly service: string;
  readonly environment: string;
  readonly maxLatencySamples: number;
  /** What workers that left handed over, by pid. */
  readonly retired: PidRead[];
  /** Set by close: every worker's last read; the window answers from here on. */
  closed?: { readonly at: number; readonly reads: readonly PidRead[] };
}

/** The sample windows opened through the control channel, open and recently closed. */
export class WindowBook {
  private readonly windows = new Map<string, OpenedWindow>();

  constructor(private readonly now: () => number = Date.now) {}

  create(service: string, environment: string, maxLatencySamples?: number): OpenedWindow {
    this.forgetOld();
    const window: OpenedWindow = {
      id: randomUUID(),
      service,
      environment,
      maxLatencySamples: maxLatencySamples ?? defaultMaxLatencySamples,
      retired: [],
    };
    this.windows.set(window.id, window);
    return window;
  }

  /** The window, or not_found. */
  get(id: string): OpenedWindow {
    this.forgetOld();
    const window = this.windows.get(id);
    if (window === undefined) {
      throw new FerryError('not_found', `no sample window ${id} (closed over 10 minutes ago?)`);
    }
    return window;
  }

  /** Windows still collecting: a fresh worker opens them too. */
  open(): OpenedWindow[] {
    return [...this.windows.values()].filter((window) => window.closed === undefined);
  }

  /**
   * Merged samples of a window from these reads (live workers) and what retired ones gave; a
   * worker that answered live and retired meanwhile counts once.
   */
  read(window: OpenedWindow, live: readonly PidRead[]): Partial<Record<Track, TrackSample>> {
    const reads = window.closed?.reads ?? live;
    const answered = new Set(reads.map((read) => read.pid));
    const retired = window.retired.filter((read) => !answered.has(read.pid));
    return mergeSamples(
      [...reads, ...retired].map((read) => read.read),
      window.maxLatencySamples,
    );
  }

  close(window: OpenedWindow, reads: readonly PidRead[]): void {
    if (window.closed === undefined) window.closed = { at: this.now(), reads };
  }

  private forgetOld(): void {
    const now = this.now();
    for (const [id, window] of this.windows) {
      if (window.closed !== undefined && now - window.closed.at > closedWindowTtlMs) {
        this.windows.delete(id);
      }
    }
  }
}
