import type { FerryConfig } from '../../config/ferry-config.js';
import { FerryError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import { assessRisk } from '../approvals/domain/assess-risk.js';
import { toRiskView, type RiskView } from '../approvals/domain/risk-view.js';
import { riskFacts } from '../approvals/risk-facts.js';
import type { ArtifactService } from '../artifacts/artifact-service.js';
import type {
  DeployAdmission,
  DeploymentService,
  Target,
} from '../deployments/deployment-service.js';
import { specDiff, type SpecChange } from './domain/spec-diff.js';
import { describeStrategy, type PlannedArtifact } from './promotion-service.js';

/** What `ferry deploy --dry-run` shows: what would change, whether it may, and its risk. */
export interface DeployPlan {
  readonly service: string;
  readonly environment: string;
  readonly artifact: PlannedArtifact;
  readonly current: PlannedArtifact | null;
  /** The environment runs this artifact already: deploying does nothing. */
  readonly upToDate: boolean;
  /** Why the deploy would be refused (promotion path, gates, a freeze); null when it may go. */
  readonly refusal: { readonly code: string; readonly message: string } | null;
  readonly configChanges: readonly SpecChange[];
  readonly strategy: string;
  readonly risk: RiskView;
}

/** Plans a direct deploy of a pushed version without changing anything. */
export class DeployPlanner {
  constructor(
    private readonly config: () => FerryConfig,
    private readonly deployments: DeploymentService,
    private readonly artifacts: ArtifactService,
    private readonly admission: DeployAdmission,
    private readonly clock: Clock,
  ) {}

  async plan(
    target: Target,
    version: string,
    options: { readonly force?: boolean; readonly emergency?: { readonly reason: string } },
  ): Promise<DeployPlan> {
    const spec = this.deployments.specFor(target);
    const artifact = await this.artifacts.get(target.service, version);
    const live = await this.deployments.live(target);
    const current = live
      ? await this.artifacts.get(target.service, live.version).catch(() => undefined)
      : undefined;
    const refusal = await this.admission(target, artifact, options).then(
      () => null,
      (error: unknown) => {
        if (!(error instanceof FerryError)) throw error;
        return { code: error.code, message: error.message };
      },
    );
    const risk = assessRisk(
      this.config().risk,
      riskFacts({
        config: this.config(),
        environment: target.environment,
        meta: artifact.meta,
        live,
        spec,
        firstDeployment: (await this.deployments.list(target, 1)).length === 0,
        rollbackOutsideWindow: false,
        emergency: options.emergency !== undefined,
        now: this.clock.now(),
      }),
    );
    return {
      ...target,
      artifact: { version, digest: artifact.digest, sourceCommit: artifact.sourceCommit },
      current: live
        ? {
            version: live.version,
            digest: live.artifactDigest,
            sourceCommit: current?.sourceCommit ?? null,
          }
        : null,
      upToDate: live?.artifactDigest === artifact.digest,
      refusal,
      configChanges: specDiff(live?.spec ?? {}, spec),
      strategy: describeStrategy(spec),
      risk: toRiskView(risk),
    };
  }
}
