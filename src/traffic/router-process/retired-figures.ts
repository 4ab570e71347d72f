import { mergeDetails, retiredLatencies } from './merged-figures.js';
import type { WorkerDetail } from './worker-messages.js';

/** Final figures of retired workers kept apart per listener; older ones are summed into one. */
const keptFinals = 8;

/**
 * What workers that left counted, by table key, so the router's figures stay "since it started"
 * across upgrades. Each final is kept with its worker's pid: a worker that answered a request
 * live and retired meanwhile must count once.
 */
export class RetiredFigures {
  private readonly byKey = new Map<string, { pid: number; detail: WorkerDetail }[]>();

  keep(pid: number, details: Readonly<Record<string, WorkerDetail>>): void {
    for (const [key, detail] of Object.entries(details)) {
      const finals = this.byKey.get(key) ?? [];
      finals.push({ pid, detail });
      // Long gone workers answer no live request: the oldest can be one sum (pid 0).
      if (finals.length > keptFinals) {
        const oldest = finals.splice(0, finals.length - keptFinals + 1);
        finals.unshift({
          pid: 0,
          detail: mergeDetails(
            oldest.map((old) => old.detail),
            retiredLatencies,
          ),
        });
      }
      this.byKey.set(key, finals);
    }
  }

  /** The finals of a listener, but those of workers that answered live (`answered` pids). */
  of(key: string, answered: ReadonlySet<number>): WorkerDetail[] {
    return (this.byKey.get(key) ?? [])
      .filter((final) => !answered.has(final.pid))
      .map((final) => final.detail);
  }
}
