/**
 * How the reason of a paused deployment begins says who paused it. A person's pause (`ferry
 * rollout pause`) is resumed by `resume`; an Inconclusive analysis verdict is gone past only by an
 * explicit `promote` (an override, recorded on the run); any other pause the rollout made itself
 * (an open-ended `pause: {}` step, a preview waiting) is gone past by `resume` as by `promote`.
 */
export const pauseReasonPrefixes = {
  person: 'paused by ',
  analysis: 'analysis ',
} as const;

/** Whether `resume` on this paused deployment should promote its current step. */
export function resumePromotes(reason: string | null | undefined): boolean {
  return (
    !reason?.startsWith(pauseReasonPrefixes.person) &&
    !reason?.startsWith(pauseReasonPrefixes.analysis)
  );
}
