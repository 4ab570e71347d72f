import type { PromotionPlan } from '../../api-types.js';
import { writeLine, type TextSink } from '../../cli-io.js';
import { formatDuration } from '../../../shared/format-duration.js';

/** Every changed field of the effective service config, `path: before → after`. */
export function printChanges(changes: PromotionPlan['configChanges'], out: TextSink): void {
  if (changes.length === 0) writeLine(out, '  config: no change');
  else writeLine(out, '  config:');
  for (const change of changes) {
    writeLine(out, `    ${change.path}: ${show(change.before)} → ${show(change.after)}`);
  }
}

/** `risk: low` or `risk: high: waits for ...` with each matched rule and why. */
export function printRisk(risk: PromotionPlan['risk'], out: TextSink): void {
  const needs = risk.requirement;
  if (!needs) {
    writeLine(out, '  risk: low (no approval needed)');
    return;
  }
  writeLine(
    out,
    `  risk: high: waits for ${needs.approvals} approval${needs.approvals === 1 ? '' : 's'} (${needs.roles.join(' or ')}), expires after ${formatDuration(needs.expiryMs)}, then ${needs.onExpiry}`,
  );
  for (const matched of risk.matched) {
    writeLine(out, `    - ${matched.rule}: ${matched.reasons.join(', ')}`);
  }
}

export function short(digest: string): string {
  return digest.slice('sha256:'.length, 'sha256:'.length + 12);
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
