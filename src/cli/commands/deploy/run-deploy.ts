import type { CommandContext } from '../../command-context.js';
import { runRollout } from '../../rollout/run-rollout.js';
import { uploadArtifact } from './upload-artifact.js';

export interface DeployInput {
  readonly service: string;
  readonly environment: string;
  readonly dir: string;
  readonly version: string;
  readonly wait: boolean;
  readonly force: boolean;
  /** `--emergency "reason"`: pass a deployment window in force. */
  readonly emergency: { readonly reason: string } | undefined;
}

/** Upload the folder, start the deployment, follow it. `--json`: `{artifact, deployment, noop}`. */
export async function runDeploy(input: DeployInput, context: CommandContext) {
  const artifact = await uploadArtifact(input, context);
  const result = await context.client().deploy({
    service: input.service,
    environment: input.environment,
    version: input.version,
    ...(input.force ? { force: true } : {}),
    ...(input.emergency ? { emergency: input.emergency } : {}),
  });
  return runRollout(
    result,
    { wait: input.wait, requestedVersion: input.version, extra: { artifact } },
    context,
  );
}
