import type { ArtifactLimits } from './artifact-limits.js';

/** `artifacts.retention` in ferry.yaml: how many artifacts per service `ferry artifact gc` keeps. */
export interface ArtifactRetention {
  /** The newest `keep` artifacts of each service are kept whatever else holds. Default 10. */
  readonly keep: number;
}

export const defaultRetention: ArtifactRetention = { keep: 10 };

/** `artifacts` in ferry.yaml: upload limits and retention. */
export interface ArtifactsConfig extends ArtifactLimits {
  readonly retention: ArtifactRetention;
}
