/** What a window does to changes while it is in force. */
export const windowEffects = ['block', 'approval'] as const;
export type WindowEffect = (typeof windowEffects)[number];

/** When a window is in force: every occurrence of a cron schedule for a while, or one interval. */
export type WindowSchedule =
  | {
      readonly kind: 'recurring';
      /** Five or six cron fields, read in `timeZone`, e.g. `0 18 * * 5` (Fridays 18:00). */
      readonly cron: string;
      /** How long each occurrence lasts, in elapsed milliseconds (a DST change moves its wall-clock end). */
      readonly durationMs: number;
      /** An IANA zone such as `Europe/Berlin`; `UTC` when unsaid. */
      readonly timeZone: string;
    }
  | {
      readonly kind: 'between';
      /** Epoch milliseconds; the window holds from `fromMs` (included) to `toMs` (excluded). */
      readonly fromMs: number;
      readonly toMs: number;
    };

/**
 * `windows:` in ferry.yaml: a time when changes to some environments are frozen (`block`) or need
 * an approval (`approval`; until approvals exist it blocks too, unless `--emergency`).
 */
export interface DeploymentWindow {
  readonly name: string;
  /** The environments it holds for; `all` when ferry.yaml lists none. */
  readonly environments: readonly string[] | 'all';
  readonly effect: WindowEffect;
  readonly schedule: WindowSchedule;
}

/** A window in force now, with the occurrence that covers now. */
export interface ActiveWindow {
  readonly window: DeploymentWindow;
  /** Epoch milliseconds the covering occurrence began and ends (excluded). */
  readonly startedAt: number;
  readonly endsAt: number;
}

/** The zone a window's times are shown in: its own for a recurring one, UTC for an interval. */
export function timeZoneOf(window: DeploymentWindow): string {
  return window.schedule.kind === 'recurring' ? window.schedule.timeZone : 'UTC';
}
