import { awaitedApproval } from '../domain/phase-cause.js';
import type { ReconcileStep } from './reconcile-env.js';

/**
 * A deployment waiting for approval before it starts: it starts and retires nothing, and the
 * route keeps serving what runs (the previous version's instances), also after a restart. Ends
 * the reconcile; the approvals feature moves it on once the approval is settled.
 */
export const reconcileAwaitingApproval: ReconcileStep = async (context, env) => {
  if (awaitedApproval(context.deployment) === undefined) return false;
  env.routerSync.forget(context.deployment);
  await env.routerSync.sync(context.deployment);
  return true;
};
