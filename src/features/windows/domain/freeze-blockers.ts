import type { PromotionBlocker } from '../../promotion/domain/promotion-blocker.js';
import { activeWindows } from './active-windows.js';
import { timeZoneOf, type DeploymentWindow } from './deployment-window.js';

export type FreezeBlocker = Extract<PromotionBlocker, { readonly kind: 'freeze' }>;

/** The windows in force in `environment` at `now`, as promotion blockers of kind `freeze`. */
export function freezeBlockers(
  windows: readonly DeploymentWindow[],
  environment: string,
  now: number,
): FreezeBlocker[] {
  return activeWindows(windows, environment, now).map((active) => ({
    kind: 'freeze',
    environment,
    window: active.window.name,
    effect: active.window.effect,
    endsAt: new Date(active.endsAt).toISOString(),
    timeZone: timeZoneOf(active.window),
  }));
}
