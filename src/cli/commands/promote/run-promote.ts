import type { PromotionPlan } from '../../api-types.js';
import { writeJson, writeLine, type TextSink } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { runRollout } from '../../rollout/run-rollout.js';
import { commitsBetween } from './commits-between.js';
import { FerryError } from '../../../errors/ferry-error.js';
import { printChanges, printRisk, short } from './print-plan.js';

export interface PromoteInput {
  /** The services in order, or every service in ferry.yaml's order. */
  readonly services: readonly string[] | 'all' | { readonly group: string };
  readonly to: string;
  readonly dryRun: boolean;
  readonly wait: boolean;
  /** `--emergency "reason"`: pass a deployment window in force. */
  readonly emergency: { readonly reason: string } | undefined;
}

/**
 * Promotes each service in turn: a dry run prints each plan (exit 1 when any is blocked); otherwise each promotion is followed
 * to its end before the next starts, and the first that does not go live stops the rest.
 */
export async function runPromote(input: PromoteInput, context: CommandContext): Promise<number> {
  const client = context.client();
  const services = await servicesOf(input.services, context);
  const plans = [];
  for (const service of services) {
    const result = await client.promote({
      service,
      to: input.to,
      dryRun: input.dryRun,
      ...(input.emergency ? { emergency: input.emergency } : {}),
    });
    if (input.dryRun) {
      if (!context.json) printPlan(result.plan, context.io.stderr);
      plans.push(result.plan);
      continue;
    }
    if (!result.deployment) continue;
    const code = await runRollout(
      { deployment: result.deployment, noop: result.noop },
      { wait: input.wait, extra: { plan: result.plan } },
      context,
    );
    if (code !== exitCodes.ok) return code;
  }
  if (input.dryRun && context.json) writeJson(context.io.stdout, { plans });
  // A dry run that would be refused fails, so CI can ask "could this promote now?".
  const blocked = plans.some((plan) => plan.blockers.length > 0);
  return blocked ? exitCodes.failed : exitCodes.ok;
}

/** The services to promote, in order: named, every one in ferry.yaml's order, or a group's. */
async function servicesOf(
  services: PromoteInput['services'],
  context: CommandContext,
): Promise<readonly string[]> {
  const client = context.client();
  if (services === 'all') return (await client.services()).map((s) => s.name);
  if (!('group' in services)) return services;
  const groups = await client.groups();
  const members = groups[services.group];
  if (members === undefined) {
    const known = Object.keys(groups);
    throw new FerryError(
      'not_found',
      `unknown group "${services.group}"; ferry.yaml declares ${known.length > 0 ? known.join(', ') : 'no groups'}`,
    );
  }
  return members;
}

/** The plan as people read it: what moves, from where, what changes, and what stands in the way. */
function printPlan(plan: PromotionPlan, out: TextSink): void {
  const after = plan.artifact
    ? `${plan.artifact.version} (${short(plan.artifact.digest)})`
    : 'nothing';
  const now = plan.current ? `${plan.current.version} (${short(plan.current.digest)})` : 'nothing';
  writeLine(
    out,
    `promote ${plan.service} ${plan.from ?? '-'} → ${plan.to} (dry run: nothing changes)`,
  );
  writeLine(out, `  ${plan.to} now:   ${now}`);
  writeLine(
    out,
    `  ${plan.to} after: ${after}${plan.upToDate ? ' (already live: nothing to do)' : ''}`,
  );
  writeLine(out, `  strategy: ${plan.strategy}`);
  const commits = commitsBetween(
    plan.current?.sourceCommit ?? null,
    plan.artifact?.sourceCommit ?? null,
  );
  if (commits !== undefined) {
    writeLine(out, `  commits:${commits.length === 0 ? ' none' : ''}`);
    for (const line of commits) writeLine(out, `    ${line}`);
  }
  printChanges(plan.configChanges, out);
  printRisk(plan.risk, out);
  if (plan.blockers.length === 0) {
    writeLine(out, plan.upToDate ? '  nothing to promote' : '  ready to promote');
    return;
  }
  writeLine(out, '  blocked:');
  for (const reason of plan.reasons) writeLine(out, `    - ${reason}`);
}
