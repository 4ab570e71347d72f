import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListenerKind } from './traffic-router.js';
import type { TrafficSampler } from './traffic-samples.js';

/** Where responses are served: a listener (default `main`) of a service/environment. */
export interface SampledListener {
  readonly service: string;
  readonly environment: string;
  readonly listener?: ListenerKind;
}

/** The tracks the contract serves, and the version each answers with. */
export const sampledVersions = { stable: '1.0.0', baseline: '1.0.0', canary: '2.0.0' } as const;

/**
 * One implementation under the contract, and how responses reach it. The real sampler counts
 * requests sent through the router; the fake is fed them.
 */
export interface SamplerHarness {
  readonly sampler: TrafficSampler;
  /** One response per status, on the track, answered by the track's upstream (`sampledVersions`). */
  serve(
    where: SampledListener,
    track: keyof typeof sampledVersions,
    statuses: readonly number[],
  ): Promise<void>;
  close(): Promise<void>;
}

const web: SampledListener = { service: 'web', environment: 'prod' };

/** What every TrafficSampler promises; `open` gives a harness that served nothing yet. */
export function describeTrafficSamplerContract(
  name: string,
  open: () => Promise<SamplerHarness>,
): void {
  describe(`TrafficSampler contract: ${name}`, () => {
    let harness: SamplerHarness;
    let sampler: TrafficSampler;
    beforeEach(async () => {
      harness = await open();
      sampler = harness.sampler;
    });
    afterEach(() => harness.close());

    it('counts per track what the main listener served while the window was open', async () => {
      await harness.serve(web, 'stable', [200, 200]);
      const window = sampler.open('web', 'prod');
      await harness.serve(web, 'canary', [200, 500, 200]);
      await harness.serve(web, 'baseline', [200, 503]);
      await harness.serve(web, 'baseline', [200]);
      const read = await window.read();
      expect(Object.keys(read).sort()).toEqual(['baseline', 'canary']);
      expect(read.canary).toMatchObject({ version: '2.0.0', requests: 3, errors5xx: 1 });
      expect(read.baseline).toMatchObject({ version: '1.0.0', requests: 3, errors5xx: 1 });
      expect(read.canary?.latenciesMs).toHaveLength(3);
      expect(read.baseline?.latenciesMs).toHaveLength(3);
      for (const ms of [...read.canary!.latenciesMs, ...read.baseline!.latenciesMs]) {
        expect(ms).toBeGreaterThanOrEqual(0);
      }
    });

    it('counts neither other services, other environments nor the preview listener', async () => {
      const window = sampler.open('web', 'prod');
      await harness.serve({ service: 'api', environment: 'prod' }, 'canary', [200]);
      await harness.serve({ service: 'web', environment: 'staging' }, 'canary', [200]);
      await harness.serve({ ...web, listener: 'preview' }, 'canary', [200]);
      expect(await window.read()).toEqual({});
      await harness.serve(web, 'stable', [200]);
      expect(await window.read()).toEqual({
        stable: { version: '1.0.0', requests: 1, errors5xx: 0, latenciesMs: [expect.any(Number)] },
      });
    });

    it('stops counting once closed, keeps answering what it collected, and closes twice', async () => {
      const window = sampler.open('web', 'prod');
      await harness.serve(web, 'stable', [200, 200]);
      window.close();
      const atClose = await window.read();
      await harness.serve(web, 'stable', [200]);
      window.close();
      expect(atClose.stable?.requests).toBe(2);
      expect(await window.read()).toEqual(atClose);
    });

    it('keeps at most maxLatencySamples latencies per track, and counts every response', async () => {
      const capped = sampler.open('web', 'prod', { maxLatencySamples: 2 });
      await harness.serve(web, 'stable', [200, 200]);
      const later = sampler.open('web', 'prod');
      await harness.serve(web, 'stable', [200, 500, 200]);
      expect((await capped.read()).stable).toMatchObject({ requests: 5, errors5xx: 1 });
      expect((await capped.read()).stable?.latenciesMs).toHaveLength(2);
      expect((await later.read()).stable).toMatchObject({ requests: 3, errors5xx: 1 });
      expect((await later.read()).stable?.latenciesMs).toHaveLength(3);
    });

    it('counts into a window opened before the service served anything', async () => {
      const window = sampler.open('new', 'prod');
      await harness.serve({ service: 'new', environment: 'prod' }, 'canary', [200]);
      expect((await window.read()).canary).toMatchObject({ version: '2.0.0', requests: 1 });
    });

    it('refuses a maxLatencySamples that is not a whole number of 0 or more', () => {
      expect(() => sampler.open('web', 'prod', { maxLatencySamples: -1 })).toThrow(RangeError);
      expect(() => sampler.open('web', 'prod', { maxLatencySamples: 1.5 })).toThrow(RangeError);
    });
  });
}
