import type { RolloutView } from '../../api-types.js';
import type { FerryClient } from '../../ferry-client.js';
import type { ActOnRolloutInput } from './rollout-input.js';

/**
 * The one line saying what an action did, from the view the server answered with.
 *
 * @example
 * 'web prod: promoted (step 3/4, Progressing)'
 * 'web prod: aborted: traffic back to stable (v1)'
 */
export async function describeAction(
  input: ActOnRolloutInput,
  view: RolloutView,
  client: FerryClient,
): Promise<string> {
  const prefix = `${view.service} ${view.environment}`;
  const d = view.deployment;
  if (!d) return `${prefix}: ${pastTense[input.action]}`;
  const where = [stepProgress(view), d.phase].filter(Boolean).join(', ');
  switch (input.action) {
    case 'abort': {
      const stable = await stableVersion(view, client);
      const to = stable ? ` (${stable})` : '';
      if (d.phase === 'RollingBack') return `${prefix}: aborted: rolling back${to}`;
      if (d.phase === 'Aborted') return `${prefix}: aborted: traffic back to stable${to}`;
      return `${prefix}: aborted (${d.phase}${d.reason ? `: ${d.reason}` : ''})`;
    }
    case 'promote':
      return `${prefix}: promoted${input.full ? ' fully' : ''} (${where})`;
    case 'retry':
      return `${prefix}: retrying ${d.version} (${where})`;
    case 'resume':
      // A server that resumed nothing (an older one, at an open-ended pause) leaves it paused.
      if (d.phase === 'Paused') {
        return `${prefix}: still paused: ${d.reason ?? 'run "ferry rollout promote" to go on'}`;
      }
      return `${prefix}: resumed (${where})`;
    default:
      return `${prefix}: ${pastTense[input.action]} (${where})`;
  }
}

const pastTense = {
  promote: 'promoted',
  abort: 'aborted',
  retry: 'retried',
  pause: 'paused',
  resume: 'resumed',
} as const;

/** `step 2/4` for the current step, `all 4 steps done` past the last, '' without steps. */
function stepProgress({ steps }: RolloutView): string {
  if (steps.length === 0) return '';
  const current = steps.find((s) => s.state === 'current');
  if (current) return `step ${current.index + 1}/${steps.length}`;
  return steps.every((s) => s.state === 'done') ? `all ${steps.length} steps done` : '';
}

/** The version traffic went back to: the stable track's, else the previous deployment's. */
async function stableVersion(view: RolloutView, client: FerryClient) {
  const d = view.deployment;
  const stable = view.tracks.find((t) => t.track === 'stable' && t.version !== d?.version);
  if (stable) return stable.version;
  if (!d?.previousId) return undefined;
  return (await client.deployment(d.previousId)).version;
}
