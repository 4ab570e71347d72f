import type { EnvironmentConfig, FerryConfig } from '../../config/ferry-config.js';
import { FerryError, NotFoundError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import type { ServiceConfig } from '../deployments/domain/service-spec.js';
import type { DeployResult, DeploymentService, Target } from '../deployments/deployment-service.js';
import { checkRequirements } from '../gate-results/domain/gate-requirement.js';
import type { GateResultStore } from '../gate-results/gate-result-store.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import { checkPromotion } from './domain/check-promotion.js';
import { describeBlocker, type PromotionBlocker } from './domain/promotion-blocker.js';
import { specDiff, type SpecChange } from './domain/spec-diff.js';
import type { CellWindow } from './environment-matrix.js';
import { freezeBlockers } from '../windows/domain/freeze-blockers.js';
import { assessRisk } from '../approvals/domain/assess-risk.js';
import { lowRisk, toRiskView, type RiskView } from '../approvals/domain/risk-view.js';
import { approvalWindowsCovered, riskFacts } from '../approvals/risk-facts.js';

/** An artifact as a promotion plan shows it. */
export interface PlannedArtifact {
  readonly version: string;
  readonly digest: string;
  readonly sourceCommit: string | null;
}

/** What a promotion would do, or why it cannot. */
export interface PromotionPlan {
  readonly service: string;
  readonly from: string | null;
  readonly to: string;
  /** The upstream's live artifact: what would be deployed. */
  readonly artifact: PlannedArtifact | null;
  /** What runs in the target now. */
  readonly current: PlannedArtifact | null;
  /** True when the target already runs the upstream's artifact: promoting does nothing. */
  readonly upToDate: boolean;
  readonly blockers: readonly PromotionBlocker[];
  /** The blockers as sentences, in the same order. */
  readonly reasons: readonly string[];
  /** Effective service config in the target: now (its live deployment's spec) → after. */
  readonly configChanges: readonly SpecChange[];
  /** The strategy the promotion would run: `canary (5 steps)`, `rolling`, `blueGreen`. */
  readonly strategy: string;
  /** The risk policy's assessment: which rules match, and the approval the promotion would wait on. */
  readonly risk: RiskView;
}

export interface PromotionOptions {
  readonly dryRun?: boolean;
  /**
   * `--emergency "reason"`: the promotion passes a deployment window in force (never a gate, a
   * soak or an unhealthy upstream) and is recorded and flagged with the reason.
   */
  readonly emergency?: { readonly reason: string };
}

/** Says whether the service's instances serving `target` are healthy; undefined when they are. */
export type HealthCheck = (target: Target, live: Deployment) => Promise<string | undefined>;

/**
 * Moves the exact artifact that is live and healthy in an environment's `from` into it, once
 * every requirement holds; otherwise says every reason at once.
 */
export class PromotionService {
  constructor(
    private readonly config: () => FerryConfig,
    private readonly deployments: DeploymentService,
    private readonly gates: GateResultStore,
    private readonly artifacts: ArtifactService,
    private readonly health: HealthCheck,
    private readonly clock: Clock,
  ) {}

  /** The deployment windows in force in an environment now, each with when it ends. */
  freezesIn(environment: string): CellWindow[] {
    return freezeBlockers(this.config().windows, environment, this.clock.now()).map((blocker) => ({
      name: blocker.window,
      effect: blocker.effect,
      endsAt: blocker.endsAt,
      timeZone: blocker.timeZone,
      reason: describeBlocker(blocker, ''),
    }));
  }

  /**
   * What promoting would do, with every reason it cannot now; with `emergency`, windows in force
   * are passed and so not among them.
   */
  async plan(
    service: string,
    to: string,
    options: Pick<PromotionOptions, 'emergency'> = {},
  ): Promise<PromotionPlan> {
    const environment = this.environment(to);
    const freezes = options.emergency
      ? []
      : freezeBlockers(this.config().windows, to, this.clock.now()).filter(
          (f) => f.effect !== 'approval' || !approvalWindowsCovered(this.config(), to),
        );
    const spec = this.deployments.specFor({ service, environment: to });
    const target = { service, environment: to };
    const currentLive = await this.deployments.live(target);
    const current = currentLive ? await this.artifactOf(currentLive) : null;
    const base = {
      service,
      from: environment.from,
      to,
      current,
      configChanges: specDiff(currentLive?.spec ?? {}, spec),
      strategy: describeStrategy(spec),
    };
    if (environment.from === null) {
      const blockers: PromotionBlocker[] = [{ kind: 'no_upstream', environment: to }, ...freezes];
      return {
        ...base,
        artifact: null,
        upToDate: false,
        risk: lowRisk,
        blockers,
        reasons: reasonsOf(blockers, ''),
      };
    }
    const upstreamTarget = { service, environment: environment.from };
    const latest = (await this.deployments.list(upstreamTarget, 1))[0];
    const live = await this.deployments.live(upstreamTarget);
    const stopped = (await this.deployments.stopOf(upstreamTarget)) !== undefined;
    const unhealthy = live && !stopped ? await this.health(upstreamTarget, live) : undefined;
    const evidence = live ? await this.gates.listFor(service, live.artifactDigest) : [];
    const checked = checkPromotion(
      { environment: environment.from, latest, live, stopped, unhealthy },
      {
        environment: to,
        soakMs: environment.soakMs,
        require: environment.require,
        active: await this.deployments.active(target),
      },
      checkRequirements(environment.require, evidence),
      this.clock.now(),
    );
    const blockers = [...freezes, ...checked];
    const artifact = live ? await this.artifactOf(live) : null;
    const upstreamArtifact = live
      ? await this.artifacts.get(service, live.version).catch(() => undefined)
      : undefined;
    const risk = toRiskView(
      assessRisk(
        this.config().risk,
        riskFacts({
          config: this.config(),
          environment: to,
          meta: upstreamArtifact?.meta ?? {},
          live: currentLive,
          spec,
          firstDeployment: (await this.deployments.list(target, 1)).length === 0,
          rollbackOutsideWindow: false,
          emergency: options.emergency !== undefined,
          now: this.clock.now(),
        }),
      ),
    );
    return {
      ...base,
      artifact,
      risk,
      upToDate: artifact !== null && current?.digest === artifact.digest,
      blockers,
      reasons: reasonsOf(blockers, artifact?.version ?? ''),
    };
  }

  /**
   * Promotes, or with `dryRun` only plans. Refused with `promotion_blocked` (409) and every
   * reason in `extra.blockers` when anything stands in the way.
   */
  async promote(
    service: string,
    to: string,
    actor: string,
    options: PromotionOptions = {},
  ): Promise<{ readonly plan: PromotionPlan; readonly result: DeployResult | null }> {
    const plan = await this.plan(service, to, options);
    if (options.dryRun) return { plan, result: null };
    if (plan.blockers.length > 0 || plan.artifact === null || plan.from === null) {
      throw new FerryError(
        'promotion_blocked',
        `cannot promote ${service} to ${to}: ${plan.reasons.join('; ')}`,
        { extra: { blockers: plan.blockers, reasons: plan.reasons } },
      );
    }
    const result = await this.deployments.deploy(
      { service, environment: to },
      plan.artifact.version,
      actor,
      { promotedFrom: plan.from, ...(options.emergency ? { emergency: options.emergency } : {}) },
    );
    return { plan, result };
  }

  private async artifactOf(deployment: Deployment): Promise<PlannedArtifact> {
    const artifact = await this.artifacts
      .get(deployment.service, deployment.version)
      .catch(() => undefined);
    return {
      version: deployment.version,
      digest: deployment.artifactDigest,
      sourceCommit: artifact?.sourceCommit ?? null,
    };
  }

  private environment(name: string): EnvironmentConfig {
    const environment = this.config().environments.find((e) => e.name === name);
    if (!environment) throw new NotFoundError('environment', name);
    return environment;
  }
}

function reasonsOf(blockers: readonly PromotionBlocker[], version: string): string[] {
  return blockers.map((blocker) => describeBlocker(blocker, version));
}

/** `canary (4 steps)`, `blueGreen`, `rolling`: what a person needs to know before promoting. */
export function describeStrategy(spec: ServiceConfig): string {
  const strategy = spec.strategy;
  if (strategy.kind === 'canary') return `canary (${strategy.canary.steps.length} steps)`;
  return strategy.kind;
}
