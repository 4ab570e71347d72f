import type { Deployment } from '../api-types.js';
import { writeLine, type TextSink } from '../cli-io.js';
import { exitCodes, type ExitCode } from '../exit-codes.js';
import { describeRollout } from './describe-rollout.js';

/**
 * Says on stderr where a followed rollout stopped, and returns the exit code: 0 when it is live,
 * 3 when it paused and waits for a person (what for, and the command that goes on), 1 when it
 * was aborted, rolled back or failed.
 *
 * @example reportOutcome(paused, io.stderr) // "web v2 is paused in prod: paused at step 2/4: ..."
 */
export function reportOutcome(final: Deployment, stderr: TextSink): ExitCode {
  const { service, version, environment } = final;
  const command = (action: string) => `"ferry rollout ${action} ${service} --env ${environment}"`;
  switch (final.phase) {
    case 'Succeeded':
      writeLine(stderr, `${service} ${version} is live in ${environment}`);
      return exitCodes.ok;
    case 'Paused':
      writeLine(
        stderr,
        `${service} ${version} is paused in ${environment}: ${final.reason ?? 'waiting for a person'}`,
      );
      writeLine(
        stderr,
        `it waits for ${command('promote')} (or ${command('abort')}); exit code 3 means paused`,
      );
      return exitCodes.paused;
    case 'Aborted':
      writeLine(
        stderr,
        `error: ${describeRollout(final)} was aborted: ${final.reason ?? 'no reason given'} (traffic is back on stable; ${command('retry')} tries again)`,
      );
      return exitCodes.failed;
    default: {
      const outcome = final.phase === 'RolledBack' ? 'was rolled back' : 'failed';
      writeLine(
        stderr,
        `error: ${describeRollout(final)} ${outcome}: ${final.reason ?? 'no reason given'}`,
      );
      return exitCodes.failed;
    }
  }
}
