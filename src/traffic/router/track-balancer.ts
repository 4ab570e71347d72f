import type { Track } from '../../features/routing/traffic-router.js';
import type { UpstreamTarget } from './upstream-target.js';

/** Round-robin over the upstreams of one track. */
export class TrackBalancer {
  private cursor = 0;

  constructor(
    readonly track: Track,
    readonly targets: readonly UpstreamTarget[],
  ) {}

  /** The next upstream in turn, or `undefined` when the track has none. */
  next(): UpstreamTarget | undefined {
    const count = this.targets.length;
    if (count === 0) return undefined;
    const index = this.cursor;
    this.cursor = index + 1 === count ? 0 : index + 1;
    return this.targets[index];
  }

  /** The next upstream other than `failed`, for a retry; `undefined` if there is no other. */
  nextExcept(failed: UpstreamTarget): UpstreamTarget | undefined {
    for (let tries = this.targets.length; tries > 0; tries--) {
      const target = this.next();
      if (target !== failed) return target;
    }
    return undefined;
  }
}
