import { describe, expect, it } from 'vitest';
import { defaultArtifactLimits } from '../features/artifacts/artifact-limits.js';
import { problemsOf } from './config-problems.js';
import { parseConfig } from './load-config.js';

const base = `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js }
`;

describe('artifacts in ferry.yaml', () => {
  it('defaults every limit when absent', () => {
    expect(parseConfig(base, 'ferry.yaml').artifacts).toEqual({
      ...defaultArtifactLimits,
      retention: { keep: 10 },
    });
    expect(defaultArtifactLimits).toEqual({
      maxUploadSize: 512 * 1024 ** 2,
      maxUnpackedSize: 2 * 1024 ** 3,
      maxRatio: 200,
      maxEntries: 100_000,
    });
  });

  it('reads sizes with units or in bytes, and keeps defaults for what is left out', () => {
    const config = parseConfig(
      `${base}artifacts: { maxUploadSize: 64MiB, maxUnpackedSize: 1.5GB, maxRatio: 50 }\n`,
      'ferry.yaml',
    );
    expect(config.artifacts).toEqual({
      maxUploadSize: 64 * 1024 ** 2,
      maxUnpackedSize: 1_500_000_000,
      maxRatio: 50,
      maxEntries: 100_000,
      retention: { keep: 10 },
    });
    const bytes = parseConfig(`${base}artifacts: { maxUploadSize: 4096 }\n`, 'ferry.yaml');
    expect(bytes.artifacts.maxUploadSize).toBe(4096);
  });

  it('reports a bad limit at its file:line:col', () => {
    const text = `${base}artifacts:\n  maxUploadSize: lots\n  maxRatio: 0\n  maxEntrys: 5\n`;
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:9:18 artifacts.maxUploadSize: expected a size such as 512MiB, 2GiB or 100MB, got "lots"',
      'ferry.yaml:10:13 artifacts.maxRatio: expected a number >= 1, got 0',
      'ferry.yaml:11:3 artifacts.maxEntrys: unknown field "maxEntrys"; allowed fields are maxUploadSize, maxUnpackedSize, maxRatio, maxEntries, retention',
    ]);
  });

  it('reads retention.keep, and reports a bad one at its file:line:col', () => {
    const config = parseConfig(`${base}artifacts: { retention: { keep: 2 } }\n`, 'ferry.yaml');
    expect(config.artifacts.retention).toEqual({ keep: 2 });
    expect(problemsOf(`${base}artifacts:\n  retention:\n    keep: 0\n`)).toEqual([
      'ferry.yaml:10:11 artifacts.retention.keep: expected an integer >= 1, got 0',
    ]);
  });
});
