import type { FerryConfig } from '../../config/ferry-config.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { DeployHolds } from '../deployments/deployment-service.js';
import type { DeploymentStore } from '../deployments/deployment-store.js';
import type { ApprovalService } from './approval-service.js';
import { assessRisk } from './domain/assess-risk.js';
import { riskFacts } from './risk-facts.js';

/**
 * The deployments service's hold: a change the risk policy finds high-risk is created waiting
 * for an approval with the strictest requirement of the rules it matched; a low-risk one starts.
 */
export function riskHolds(
  config: () => FerryConfig,
  deployments: DeploymentStore,
  approvals: ApprovalService,
  clock: Clock,
): DeployHolds {
  return async (target, artifact, facts) => {
    const now = clock.now();
    const history = await deployments.list(target, 1);
    const assessment = assessRisk(
      config().risk,
      riskFacts({
        config: config(),
        environment: target.environment,
        meta: artifact.meta ?? {},
        live: facts.live,
        spec: facts.spec,
        firstDeployment: history.length === 0,
        rollbackOutsideWindow: facts.rollbackOutsideWindow,
        emergency: facts.emergency,
        now,
      }),
    );
    const requirement = assessment.requirement;
    if (!requirement) return undefined;
    const id = newId('apr', now);
    const expiresAt = new Date(now + requirement.expiryMs).toISOString();
    return {
      cause: {
        kind: 'awaitingApproval',
        approvalId: id,
        approvals: requirement.approvals,
        expiresAt,
      },
      created: (deployment) =>
        approvals.request({
          id,
          service: target.service,
          environment: target.environment,
          version: artifact.version,
          deploymentId: deployment.id,
          gate: null,
          requestedBy: facts.actor,
          requestedAt: new Date(now).toISOString(),
          expiresAt,
          requirement,
          reasons: assessment.matched.map((m) => `${m.rule}: ${m.reasons.join(', ')}`),
          status: 'pending',
          outcome: null,
          settledAt: null,
        }),
    };
  };
}
