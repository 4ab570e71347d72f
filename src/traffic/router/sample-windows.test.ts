import { describe, expect, it } from 'vitest';
import { SampleWindows, TrackCollector } from './sample-windows.js';

const upstream = { id: 'web-1', host: '127.0.0.1', port: 1, version: '1.0.0' };

describe('SampleWindows', () => {
  it('drops closed windows, so none is kept alive nor fed after close', () => {
    const windows = new SampleWindows();
    const opened = Array.from({ length: 100 }, () => windows.openWindow(5));
    const last = opened.pop()!;

    for (const window of opened) window.close();
    windows.add(0, upstream, 200, 1);

    expect(windows.open).toHaveLength(1);
    expect(last.read().stable?.requests).toBe(1);
    expect(opened[0]!.read()).toEqual({});
    last.close();
    expect(windows.open).toHaveLength(0);
  });

  it('refuses a negative or fractional cap', () => {
    const windows = new SampleWindows();
    expect(() => windows.openWindow(-1)).toThrow(/maxLatencySamples/);
    expect(() => windows.openWindow(2.5)).toThrow(/maxLatencySamples/);
    expect(windows.open).toHaveLength(0);
  });
});

describe('TrackCollector', () => {
  it('keeps every latency equally likely (Algorithm R)', () => {
    // 2,000 runs keeping 10 of 1,000: each tenth of the stream expects 2,000 kept, σ ≈ 42.
    const keptPerTenth = new Array<number>(10).fill(0);
    for (let run = 0; run < 2_000; run++) {
      const collector = new TrackCollector(10);
      for (let i = 0; i < 1_000; i++) collector.add(upstream, 200, i);
      for (const ms of collector.latencies) keptPerTenth[Math.floor(ms / 100)]!++;
    }

    for (const kept of keptPerTenth) {
      expect(kept).toBeGreaterThan(1_800);
      expect(kept).toBeLessThan(2_200);
    }
  });
});
