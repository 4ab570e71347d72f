import type { CanaryStep } from './strategy-spec.js';
import { formatDuration } from '../../../shared/format-duration.js';

/** A step as a person reads it in `ferry rollout get`: `setWeight 10%`, `pause 30s`. */
export function describeStep(step: CanaryStep): string {
  switch (step.kind) {
    case 'setWeight':
      return `setWeight ${step.weight}%`;
    case 'pause':
      return step.durationMs === null
        ? 'pause (until promoted)'
        : `pause ${formatDuration(step.durationMs)}`;
    case 'setCanaryScale': {
      const { scale } = step;
      if ('replicas' in scale) return `setCanaryScale ${scale.replicas} replicas`;
      if ('weight' in scale) return `setCanaryScale ${scale.weight}% of replicas`;
      return 'setCanaryScale matchTrafficWeight';
    }
    case 'setHeaderRoute':
      return step.match.length === 0
        ? 'setHeaderRoute (clear)'
        : `setHeaderRoute ${step.match.map((m) => `${m.source} ${m.name} ${m.kind} "${m.value}"`).join(' or ')}`;
    case 'setMirror':
      return `setMirror ${step.percentage}%`;
    case 'analysis':
      return `analysis ${step.templates.join(', ')}${step.durationMs === null ? '' : ` for ${formatDuration(step.durationMs)}`}`;
    case 'judge':
      return `judge canary vs baseline for ${formatDuration(step.durationMs)}`;
    case 'approval': {
      const { approvals, expiryMs, onExpiry } = step.requirement;
      return `approval (${approvals} needed, expires after ${formatDuration(expiryMs)}, then ${onExpiry})`;
    }
  }
}
