import { CronExpressionParser } from 'cron-parser';
import type { ActiveWindow, DeploymentWindow } from './deployment-window.js';

/**
 * The windows in force for `environment` at `now` (epoch ms), each with the occurrence that
 * covers now. A recurring window's covering occurrence is its latest start at or before now,
 * when now is before that start plus its duration: every occurrence lasts as long, so no earlier
 * one can reach further. Starts and ends are exact instants; the end is excluded.
 *
 * @example activeWindows(config.windows, 'prod', clock.now()).map((a) => a.window.name)
 */
export function activeWindows(
  windows: readonly DeploymentWindow[],
  environment: string,
  now: number,
): ActiveWindow[] {
  return windows.flatMap((window): ActiveWindow[] => {
    if (window.environments !== 'all' && !window.environments.includes(environment)) return [];
    const occurrence = occurrenceAt(window, now);
    return occurrence ? [{ window, ...occurrence }] : [];
  });
}

/** Whether a window is in force at `now`, whatever the environment, and until when. */
export function occurrenceAt(
  window: DeploymentWindow,
  now: number,
): { readonly startedAt: number; readonly endsAt: number } | undefined {
  const schedule = window.schedule;
  if (schedule.kind === 'between') {
    const inForce = schedule.fromMs <= now && now < schedule.toMs;
    return inForce ? { startedAt: schedule.fromMs, endsAt: schedule.toMs } : undefined;
  }
  const startedAt = latestStart(schedule.cron, schedule.timeZone, now);
  if (startedAt === undefined) return undefined;
  const endsAt = startedAt + schedule.durationMs;
  return now < endsAt ? { startedAt, endsAt } : undefined;
}

/** The latest occurrence of `cron` at or before `now`. */
function latestStart(cron: string, timeZone: string, now: number): number | undefined {
  // `prev()` looks strictly before its start; one millisecond on makes an occurrence at now count.
  const expression = CronExpressionParser.parse(cron, {
    currentDate: new Date(now + 1),
    tz: timeZone,
  });
  if (!expression.hasPrev()) return undefined;
  return expression.prev().getTime();
}
