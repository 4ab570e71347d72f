import type { CanaryStep, StrategyConfig } from './strategy-spec.js';

/** The steps a rollout walks through: a canary's, blue-green's pre-promotion steps, or none. */
export function rolloutSteps(strategy: StrategyConfig | undefined): readonly CanaryStep[] {
  if (strategy?.kind === 'canary') return strategy.canary.steps;
  if (strategy?.kind === 'blueGreen') return strategy.blueGreen.prePromotionSteps;
  return [];
}

/**
 * Whether an instance belongs to the baseline of deployment `deploymentId`: it runs the stable
 * artifact (`stableDigest`) but was started for that deployment, beside its canary.
 */
export function isBaselineInstance(
  instance: { readonly deploymentId: string; readonly artifactDigest: string },
  deploymentId: string,
  stableDigest: string,
): boolean {
  return instance.deploymentId === deploymentId && instance.artifactDigest === stableDigest;
}
