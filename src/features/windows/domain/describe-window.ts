import type { ActiveWindow } from './deployment-window.js';
import { timeZoneOf } from './deployment-window.js';
import { formatInZone } from './format-in-zone.js';

/**
 * Why `environment` takes no change now, as one sentence naming the window and when it ends.
 *
 * @example describeActiveWindow(a, 'prod') // 'prod is frozen by weekend-freeze until 2026-12-07T08:00:00+01:00 (Europe/Berlin)'
 */
export function describeActiveWindow(active: ActiveWindow, environment: string): string {
  const zone = timeZoneOf(active.window);
  const until = `until ${formatInZone(active.endsAt, zone)} (${zone})`;
  if (active.window.effect === 'block') {
    return `${environment} is frozen by ${active.window.name} ${until}`;
  }
  return `${environment} requires approval in ${active.window.name} ${until}; approvals are not available yet, so it blocks unless --emergency`;
}
