import type { CommandContext } from '../../command-context.js';
import { runRollout } from '../../rollout/run-rollout.js';
import { planDeploy } from './plan-deploy.js';
import { uploadArtifact } from './upload-artifact.js';

export interface DeployInput {
  readonly service: string;
  readonly environment: string;
  /** The folder to upload first; none: a version pushed before. */
  readonly dir: string | undefined;
  readonly version: string;
  readonly wait: boolean;
  readonly force: boolean;
  /** `--emergency "reason"`: pass a deployment window in force. */
  readonly emergency: { readonly reason: string } | undefined;
  /** `--dry-run`: plan only. */
  readonly dryRun: boolean;
}

/**
 * Upload the folder (when given), start the deployment, follow it. `--json`:
 * `{artifact, deployment, noop}` (`artifact` only when a folder was uploaded).
 */
export async function runDeploy(input: DeployInput, context: CommandContext) {
  if (input.dryRun) return planDeploy(input, context);
  const { dir } = input;
  const artifact = dir === undefined ? undefined : await uploadArtifact({ ...input, dir }, context);
  const result = await context.client().deploy({
    service: input.service,
    environment: input.environment,
    version: input.version,
    ...(input.force ? { force: true } : {}),
    ...(input.emergency ? { emergency: input.emergency } : {}),
  });
  return runRollout(
    result,
    {
      wait: input.wait,
      requestedVersion: input.version,
      extra: artifact ? { artifact } : {},
    },
    context,
  );
}
