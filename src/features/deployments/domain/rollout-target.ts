import type { ServiceConfig } from './service-spec.js';
import type { Deployment } from './deployment.js';

/** What should run for a service in an environment: an artifact with its spec, or nothing. */
export interface RolloutTarget {
  readonly artifactDigest: string;
  readonly version: string;
  readonly spec: ServiceConfig;
}

/**
 * Derives what should run from the newest deployment: its own artifact while it progresses or
 * after it succeeded; the previous deployment's after an abort and while and after rolling back;
 * nothing after a first deployment failed.
 */
export function rolloutTarget(
  latest: Deployment,
  previous: Deployment | undefined,
): RolloutTarget | null {
  switch (latest.phase) {
    case 'Progressing':
    case 'Paused':
    case 'Succeeded':
      return { artifactDigest: latest.artifactDigest, version: latest.version, spec: latest.spec };
    case 'Aborted':
    case 'RollingBack':
    case 'RolledBack':
      return previous
        ? {
            artifactDigest: previous.artifactDigest,
            version: previous.version,
            spec: previous.spec,
          }
        : null;
    case 'Failed':
      return null;
  }
}
