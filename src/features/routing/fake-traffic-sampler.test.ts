import { describe, expect, it } from 'vitest';
import { FakeTrafficSampler } from './fake-traffic-sampler.js';

// The contract suite (traffic-sampler.contract.test.ts) covers what the fake shares with the
// router's metrics; these cover its feeding helpers.
describe('FakeTrafficSampler feeding', () => {
  it('feeds many responses of a version, the first errors5xx of them 500s', () => {
    const sampler = new FakeTrafficSampler();
    const window = sampler.open('web', 'prod');
    sampler.feed('web', 'prod', 'canary', {
      version: '2.0.0',
      latenciesMs: [5, 6, 7],
      errors5xx: 2,
    });
    sampler.respond('web', 'prod', 'canary', { status: 503, latencyMs: 1 });
    expect(window.read()).toEqual({
      canary: { version: '2.0.0', requests: 4, errors5xx: 3, latenciesMs: [5, 6, 7, 1] },
    });
  });

  it('counts open windows, so a test sees one left open', () => {
    const sampler = new FakeTrafficSampler();
    const first = sampler.open('web', 'prod');
    sampler.open('web', 'prod');
    first.close();
    expect(sampler.openWindows('web', 'prod')).toBe(1);
    expect(sampler.openWindows('api', 'prod')).toBe(0);
  });

  it('keeps the same reservoir on every run', () => {
    const latenciesMs = Array.from({ length: 100 }, (_, i) => i);
    const keep = () => {
      const sampler = new FakeTrafficSampler();
      const window = sampler.open('web', 'prod', { maxLatencySamples: 10 });
      sampler.feed('web', 'prod', 'stable', { version: '1.0.0', latenciesMs });
      return window.read().stable?.latenciesMs;
    };
    const kept = keep();
    expect(kept).toHaveLength(10);
    expect(kept).not.toEqual(latenciesMs.slice(0, 10));
    expect(keep()).toEqual(kept);
  });
});
