import type { ConfigDiff, ConfigTarget } from './config-diff.js';
import { isEmptyDiff } from './config-diff.js';

/**
 * What an apply does to one service/environment: `rollout` starts a config rollout of the live
 * artifact now; `after_rollout` once the rollout under way ends (it keeps the spec it started
 * with); `next_deploy` changes nothing that runs (the next deployment takes it); `stop` stops it
 * (`--prune`); `forget` drops a target where nothing runs.
 */
export const targetActions = ['rollout', 'after_rollout', 'next_deploy', 'stop', 'forget'] as const;
export type TargetActionKind = (typeof targetActions)[number];

export interface TargetAction extends ConfigTarget {
  readonly action: TargetActionKind;
  /** The fields behind it (empty for `stop` and `forget`). */
  readonly fields: readonly string[];
  /** The config rollout that started, once applied. */
  readonly deploymentId?: string;
}

/** The answer of an apply: the difference, what it does, and whether it was carried out. */
export interface ApplyResult {
  readonly file: string;
  readonly applied: boolean;
  readonly dryRun: boolean;
  readonly diff: ConfigDiff;
  readonly actions: readonly TargetAction[];
}

/**
 * The plan as lines for people, `+` added, `-` removed, `~` changed, then what happens where.
 *
 * @example describeApply(result) // ['~ service hello: replicas', '  hello/prod: rolls out again now (replicas)']
 */
export function describeApply(result: ApplyResult): string[] {
  const { diff } = result;
  if (isEmptyDiff(diff)) return [`${result.file}: no changes`];
  const lines: string[] = [];
  for (const name of diff.environments.added) lines.push(`+ environment ${name}`);
  for (const name of diff.environments.removed) lines.push(`- environment ${name}`);
  for (const { name, fields } of diff.environments.changed)
    lines.push(`~ environment ${name}: ${fields.join(', ')}`);
  for (const name of diff.services.added) lines.push(`+ service ${name}`);
  for (const name of diff.services.removed) lines.push(`- service ${name}`);
  for (const { name, fields } of diff.services.changed)
    lines.push(`~ service ${name}: ${fields.join(', ')}`);
  for (const t of diff.targetsAdded) lines.push(`+ route ${t.service}/${t.environment}`);
  for (const t of diff.targetsRemoved) lines.push(`- route ${t.service}/${t.environment}`);
  for (const a of result.actions) lines.push(`  ${a.service}/${a.environment}: ${actionText(a)}`);
  return lines;
}

function actionText(a: TargetAction): string {
  const fields = a.fields.length > 0 ? ` (${a.fields.join(', ')})` : '';
  switch (a.action) {
    case 'rollout':
      return `rolls its live version out again with the new settings${a.deploymentId ? ` as ${a.deploymentId}` : ''}${fields}`;
    case 'after_rollout':
      return `rolls out again once the rollout under way ends; it keeps the settings it started with${fields}`;
    case 'next_deploy':
      return `nothing restarts; the next deployment uses the new settings${fields}`;
    case 'stop':
      return 'stops: its instances stop and its route closes (--prune)';
    case 'forget':
      return 'nothing runs there; removed';
  }
}
