import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/ferry-error.js';
import { loadConfigFile } from './load-config.js';
import { assertSupported, unsupportedFeatures } from './unsupported-features.js';

describe('settings not carried out yet', () => {
  it('are all named, so a rollout never silently skips its judgement', async () => {
    const config = await loadConfigFile('test/fixtures/config/valid-analysis.yaml');
    const paths = unsupportedFeatures(config).map((d) => d.path);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.some((p) => p.includes('judge') || p.includes('baseline'))).toBe(true);
    expect(() => assertSupported(config, 'ferry.yaml')).toThrow(ConfigError);
  });

  it('leave configs without analysis alone', async () => {
    const config = await loadConfigFile('test/fixtures/config/valid-strategies.yaml');
    expect(unsupportedFeatures(config)).toEqual([]);
  });
});
