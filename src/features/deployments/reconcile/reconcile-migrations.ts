import type { Gate } from '../domain/analysis-gates.js';
import type { Deployment } from '../domain/deployment.js';
import { abort } from '../domain/transitions.js';
import type { ReconcileStep } from './reconcile-env.js';

/** The name of the expand gate's runs, in `ferry rollout get` and the analysis runs of a deployment. */
export const migrationGateName = 'migrations';

const migrationGate: Gate = { kind: 'migration', name: migrationGateName };

/**
 * The expand gate: a deployment of a service with a `database` starts nothing new (no instance,
 * no change of traffic; the route keeps serving what runs) until its artifact's pending expand
 * migrations ran, on a schema-only clone and then on the database, as a `migration` gate of the
 * registry. When they fail the rollout aborts with the reason (a canary or blue-green `Aborted`, a
 * rolling update rolls back to what already runs, a first deployment `Failed`): the previous
 * version kept serving throughout. Rollbacks run no expand migrations. After a restart the run
 * left unfinished is started again (`resumeRun`); files it applied are in the history table.
 *
 * Once the gate passed in this process it is not asked again: `RolloutAnalysis.check` ends the
 * runs a call does not name, so asking for this gate alone while a step's analysis runs would end
 * that. A restarted process asks once more, before any step's run was started.
 */
export const reconcileMigrations: ReconcileStep = async (context, env) => {
  const { deployment } = context;
  const analysis = env.deps.analysis;
  if (!gated(deployment)) {
    env.migrated.delete(deployment.id);
    return false;
  }
  const key = attemptOf(deployment);
  if (env.migrated.get(deployment.id) === key) return false;
  if (!analysis?.runs('migration')) {
    const message = 'this Ferry has no migration runner (PostgreSQL) configured';
    const cause = { kind: 'migrationFailed', gate: migrationGateName, message } as const;
    await env.transit(deployment, abort(deployment, cause, context.now, 'controller'));
    return true;
  }
  const state = (await analysis.check(deployment, [migrationGate], () => null)).get(
    migrationGateName,
  );
  if (state === undefined || state.state === 'running') {
    env.migrated.set(deployment.id, `waiting ${key}`);
    env.routerSync.forget(deployment);
    await env.routerSync.sync(deployment);
    return true;
  }
  if (state.state === 'passed') {
    const waited = env.migrated.get(deployment.id) === `waiting ${key}`;
    env.migrated.set(deployment.id, key);
    // The rollout starts now: its progress deadline and first step count from here.
    if (waited) await env.transit(deployment, migrated(deployment, context.now));
    return waited;
  }
  env.migrated.delete(deployment.id);
  const message = state.message;
  const cause = { kind: 'migrationFailed', gate: migrationGateName, message } as const;
  await env.transit(deployment, abort(deployment, cause, context.now, 'controller'));
  return true;
};

/** Whether the deployment waits on the expand gate now. */
function gated(d: Deployment): boolean {
  if (d.spec.database === undefined || d.kind !== 'deploy' || d.fastRollback === true) return false;
  return d.phase === 'Progressing' || d.phase === 'Paused';
}

/** Which attempt of the rollout the gate answered for: a `retry` asks again. */
function attemptOf(d: Deployment): string {
  return String(d.rollout?.attemptStartedAt ?? 0);
}

function migrated(d: Deployment, now: number) {
  const iso = new Date(now).toISOString();
  const untouched =
    d.rollout !== null && d.rollout.stepIndex === 0 && d.rollout.switchedAt === null;
  return {
    patch: {
      lastProgressAt: iso,
      ...(untouched && d.rollout ? { rollout: { ...d.rollout, stepStartedAt: now } } : {}),
    },
    events: [],
  };
}
