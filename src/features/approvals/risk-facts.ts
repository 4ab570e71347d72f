import type { FerryConfig } from '../../config/ferry-config.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import type { ServiceConfig } from '../deployments/domain/service-spec.js';
import { specDiff } from '../promotion/domain/spec-diff.js';
import { activeWindows } from '../windows/domain/active-windows.js';
import type { ChangeFacts } from './domain/assess-risk.js';

/**
 * The facts a risk assessment reads, from what a deploy knows: the artifact's metadata (also
 * `commits` and `files`, when CI records them there), the top-level config keys that differ from
 * what runs, history, and the `effect: approval` windows in force (none in an emergency).
 */
export function riskFacts(input: {
  readonly config: FerryConfig;
  readonly environment: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly live: Deployment | undefined;
  readonly spec: ServiceConfig;
  readonly firstDeployment: boolean;
  readonly rollbackOutsideWindow: boolean;
  readonly emergency: boolean;
  readonly now: number;
}): ChangeFacts {
  const changed = input.live ? specDiff(input.live.spec, input.spec) : [];
  return {
    environment: input.environment,
    meta: input.meta,
    configKeys: [...new Set(changed.flatMap((c) => [c.path, c.path.split('.')[0]!]))],
    commits: count(input.meta['commits']),
    files: count(input.meta['files']),
    firstDeployment: input.firstDeployment,
    rollbackOutsideWindow: input.rollbackOutsideWindow,
    approvalWindows: input.emergency
      ? []
      : activeWindows(input.config.windows, input.environment, input.now)
          .filter((active) => active.window.effect === 'approval')
          .map((active) => active.window.name),
  };
}

function count(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return Number(text);
}

/**
 * Whether an `effect: approval` window in `environment` is covered by a risk rule (one with
 * `windowApproval: true` for that environment): then it asks for approval instead of blocking.
 */
export function approvalWindowsCovered(config: FerryConfig, environment: string): boolean {
  return config.risk.rules.some(
    (rule) =>
      rule.when.windowApproval === true &&
      (rule.when.environments === undefined || rule.when.environments.includes(environment)),
  );
}
