import type { StrategyConfig } from './strategy-spec.js';
import type { RolloutState } from './rollout-state.js';
import { rolloutSteps } from './rollout-steps.js';

/**
 * `ferry rollout promote`: `full` skips every remaining step; otherwise the current step is
 * taken as done (an open-ended pause ends, a waiting blue-green switches).
 */
export function promote(
  state: RolloutState,
  strategy: StrategyConfig,
  full: boolean,
  now: number,
): RolloutState {
  const steps = rolloutSteps(strategy);
  if (full || state.stepIndex >= steps.length) return { ...state, full: true };
  return { ...state, stepIndex: state.stepIndex + 1, stepStartedAt: now };
}
