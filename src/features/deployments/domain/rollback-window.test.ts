import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentPhase } from './deployment.js';
import { rollbackPath } from './rollback-window.js';

/** A history entry: only the phase and the artifact matter here. */
function d(version: string, phase: DeploymentPhase): Deployment {
  return { version, phase, artifactDigest: `sha256:${version}` } as Deployment;
}

// Newest first: v4 is live; v3 was aborted, so it never served everything.
const history = [
  d('v4', 'Succeeded'),
  d('v3', 'Aborted'),
  d('v2', 'Succeeded'),
  d('v1', 'Succeeded'),
  d('v2', 'Succeeded'),
  d('v0', 'Succeeded'),
];
const live = history[0];

describe('rollbackPath', () => {
  it('counts distinct versions that were live before the current one, newest first', () => {
    expect(rollbackPath(history, live, 'sha256:v2', 3)).toEqual({
      fast: true,
      window: 3,
      revision: 1,
    });
    expect(rollbackPath(history, live, 'sha256:v1', 3)).toMatchObject({ fast: true, revision: 2 });
    expect(rollbackPath(history, live, 'sha256:v0', 3)).toMatchObject({ fast: true, revision: 3 });
    expect(rollbackPath(history, live, 'sha256:v0', 2)).toMatchObject({ fast: false, revision: 3 });
  });

  it('goes through the strategy for a version that never went live, and always with window 0', () => {
    expect(rollbackPath(history, live, 'sha256:v3', 3)).toEqual({
      fast: false,
      window: 3,
      revision: null,
    });
    expect(rollbackPath(history, live, 'sha256:v2', 0)).toMatchObject({ fast: false });
  });

  it('takes the live version itself as the most recent (a rollback superseding an unfinished one)', () => {
    expect(rollbackPath(history, live, 'sha256:v4', 3)).toEqual({
      fast: true,
      window: 3,
      revision: 0,
    });
    expect(rollbackPath(history, live, 'sha256:v4', 0)).toMatchObject({ fast: false });
  });
});
