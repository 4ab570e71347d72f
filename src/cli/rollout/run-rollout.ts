import type { DeployResult } from '../api-types.js';
import { writeJson, writeLine } from '../cli-io.js';
import type { CommandContext } from '../command-context.js';
import { exitCodes } from '../exit-codes.js';
import { interruptSignal } from '../interrupt-signal.js';
import { describeRollout } from './describe-rollout.js';
import { followRollout } from './follow-rollout.js';
import { reportOutcome } from './report-outcome.js';

/**
 * The shared tail of `deploy` and `rollback`: follow the started rollout unless `wait` is off,
 * say how it ended, and print the final `{...extra, deployment, noop}` with `--json` (and
 * `superseded` when it ended a rollback that was running).
 * Exit 0 when live (or already live), 3 when paused for a person; 1 when aborted, rolled back,
 * failed, or no longer followed.
 */
export async function runRollout(
  result: DeployResult,
  options: { wait: boolean; requestedVersion?: string; extra?: Record<string, unknown> },
  context: CommandContext,
): Promise<number> {
  const { io, json } = context;
  const { deployment, noop, superseded } = result;
  const print = (d: typeof deployment) =>
    json &&
    writeJson(io.stdout, {
      ...options.extra,
      deployment: d,
      noop,
      ...(superseded && { superseded }),
    });
  if (noop) {
    // The server answers noop for the same artifact under another label too: say which.
    const asked = options.requestedVersion ?? deployment.version;
    const alias = asked === deployment.version ? '' : ` (same artifact as ${deployment.version})`;
    writeLine(
      io.stderr,
      `${deployment.service} ${asked} is already live in ${deployment.environment}${alias}`,
    );
    print(deployment);
    return exitCodes.ok;
  }
  writeLine(io.stderr, `${describeRollout(deployment)}: started deployment ${deployment.id}`);
  if (superseded) {
    writeLine(
      io.stderr,
      `it supersedes deployment ${superseded.id}, which was rolling ${superseded.version} back: that one ended Failed`,
    );
  }
  if (!options.wait) {
    writeLine(io.stderr, `follow it with "ferry status ${deployment.service}"`);
    print(deployment);
    return exitCodes.ok;
  }
  const interrupt = interruptSignal(io);
  try {
    const final = await followRollout(deployment, context, interrupt.signal);
    if (!final) {
      writeLine(
        io.stderr,
        `stopped following deployment ${deployment.id}; it continues on the server (see "ferry status ${deployment.service}")`,
      );
      print(deployment);
      return exitCodes.failed;
    }
    print(final);
    return reportOutcome(final, io.stderr);
  } finally {
    interrupt.dispose();
  }
}
