import type { FerryConfig } from '../../config/ferry-config.js';
import { FerryError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import type { DeployAdmission } from '../deployments/deployment-service.js';
import { checkRequirements } from '../gate-results/domain/gate-requirement.js';
import type { GateResultStore } from '../gate-results/gate-result-store.js';
import { freezeBlockers } from '../windows/domain/freeze-blockers.js';
import { approvalWindowsCovered } from '../approvals/risk-facts.js';
import { gateBlockers } from './domain/check-promotion.js';
import { describeBlocker } from './domain/promotion-blocker.js';

/**
 * What an environment demands of an artifact that enters it: a direct deploy into one that
 * promotes `from` another needs `force` (the promotion path is the way in); no deployment window
 * may be in force there, unless `emergency`; and every gate in its `require` must hold, forced,
 * promoted or in an emergency: `--force` skips the path and `--emergency` a freeze, never the
 * evidence. A freeze refuses with `environment_frozen`, naming each window and when it ends.
 */
export function deployAdmission(
  config: () => FerryConfig,
  gates: GateResultStore,
  clock: Clock,
): DeployAdmission {
  return async (target, artifact, options) => {
    const environment = config().environments.find((e) => e.name === target.environment);
    if (!environment) return;
    const direct = options.promotedFrom === undefined;
    if (direct && environment.from !== null && options.force !== true) {
      throw new FerryError(
        'promotion_required',
        `${target.environment} promotes from ${environment.from}: "ferry promote ${target.service} --to ${target.environment}" brings the version live there; "ferry deploy --force" deploys ${artifact.version} directly and is recorded as forced`,
        { extra: { from: environment.from } },
      );
    }
    // An `effect: approval` window a risk rule covers asks for approval (the holds) instead.
    const freezes = options.emergency
      ? []
      : freezeBlockers(config().windows, target.environment, clock.now()).filter(
          (f) => f.effect !== 'approval' || !approvalWindowsCovered(config(), target.environment),
        );
    const evidence =
      environment.require.length === 0 ? [] : await gates.listFor(target.service, artifact.digest);
    const blockers = [
      ...freezes,
      ...gateBlockers(checkRequirements(environment.require, evidence)),
    ];
    if (blockers.length === 0) return;
    const reasons = blockers.map((blocker) => describeBlocker(blocker, artifact.version));
    if (freezes.length > 0) {
      throw new FerryError(
        'environment_frozen',
        `${reasons.join('; ')}; --emergency "reason" passes a window (recorded and flagged), never a gate`,
        { extra: { blockers, reasons } },
      );
    }
    throw new FerryError(
      'promotion_blocked',
      `${artifact.version} of ${target.service} cannot enter ${target.environment}: ${reasons.join('; ')}`,
      { extra: { blockers, reasons } },
    );
  };
}
