import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { printChanges, printRisk, short } from '../promote/print-plan.js';
import type { DeployInput } from './run-deploy.js';

/**
 * `ferry deploy --dry-run`: what would change, whether the environment would refuse it and why,
 * and the risk policy's assessment. Exit 1 when it would be refused; nothing changes either way.
 */
export async function planDeploy(input: DeployInput, context: CommandContext): Promise<number> {
  const plan = await context.client().deployPlan({
    service: input.service,
    environment: input.environment,
    version: input.version,
    force: input.force,
    ...(input.emergency ? { emergency: input.emergency.reason } : {}),
  });
  if (context.json) {
    writeJson(context.io.stdout, plan);
  } else {
    const out = context.io.stderr;
    const now = plan.current
      ? `${plan.current.version} (${short(plan.current.digest)})`
      : 'nothing';
    writeLine(
      out,
      `deploy ${plan.service} ${plan.artifact.version} to ${plan.environment} (dry run: nothing changes)`,
    );
    writeLine(out, `  ${plan.environment} now:   ${now}`);
    writeLine(
      out,
      `  ${plan.environment} after: ${plan.artifact.version} (${short(plan.artifact.digest)})${plan.upToDate ? ' (already live: nothing to do)' : ''}`,
    );
    writeLine(out, `  strategy: ${plan.strategy}`);
    printChanges(plan.configChanges, out);
    printRisk(plan.risk, out);
    writeLine(out, plan.refusal ? `  refused: ${plan.refusal.message}` : '  ready to deploy');
  }
  return plan.refusal ? exitCodes.failed : exitCodes.ok;
}
