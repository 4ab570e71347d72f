import type { FerryConfig } from '../../config/ferry-config.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import type { DeploymentStore } from '../deployments/deployment-store.js';
import type { GateResult } from '../gate-results/domain/gate-result.js';
import type { GateResultStore } from '../gate-results/gate-result-store.js';
import type { Artifact } from './artifact.js';
import type { ArtifactService } from './artifact-service.js';
import { liveDigest } from './domain/retention-plan.js';

/** One deployment of an artifact, as its listing shows it. */
export interface ArtifactDeployment {
  readonly id: string;
  readonly environment: string;
  readonly kind: Deployment['kind'];
  readonly phase: Deployment['phase'];
  readonly reason: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** Where an artifact ran in one environment: live there now or not, and its newest deployment. */
export interface ArtifactEnvironment {
  readonly environment: string;
  readonly live: boolean;
  readonly latest: ArtifactDeployment;
}

/** An artifact with where it ran, and its gate results (null when this server keeps none). */
export interface ArtifactView extends Artifact {
  readonly liveIn: readonly string[];
  /** Environments it was deployed to, in ferry.yaml's order. */
  readonly environments: readonly ArtifactEnvironment[];
  /** Every deployment of it, newest first. */
  readonly deployments: readonly ArtifactDeployment[];
  /** Every gate report about it, newest first; null without a gate-result store. */
  readonly gates: readonly GateResult[] | null;
}

/**
 * Artifacts as people look them up: each with the environments it ran in (live or not), its
 * deployments and its gate results. Reads only.
 */
export class ArtifactCatalog {
  constructor(
    private readonly deps: {
      readonly artifacts: ArtifactService;
      readonly deployments: DeploymentStore;
      readonly config: () => Pick<FerryConfig, 'environments'>;
      /** Gate evidence, when the server keeps it. */
      readonly gateResults?: GateResultStore;
    },
  ) {}

  /** A service's artifacts, newest first, each with where it ran. */
  async list(service: string): Promise<ArtifactView[]> {
    const [artifacts, live] = await Promise.all([
      this.deps.artifacts.list(service),
      this.liveByEnvironment(service),
    ]);
    return Promise.all(artifacts.map((a) => this.view(a, live)));
  }

  /** One artifact with where it ran; `not_found` for an unknown version. */
  async show(service: string, version: string): Promise<ArtifactView> {
    const artifact = await this.deps.artifacts.get(service, version);
    return this.view(artifact, await this.liveByEnvironment(service));
  }

  private async view(artifact: Artifact, live: ReadonlyMap<string, string>): Promise<ArtifactView> {
    const [deployments, gates] = await Promise.all([
      this.deps.deployments.listByArtifact(artifact.service, artifact.digest),
      this.deps.gateResults?.listFor(artifact.service, artifact.digest) ?? null,
    ]);
    const order = this.deps.config().environments.map((e) => e.name);
    const rank = (env: string) => (order.includes(env) ? order.indexOf(env) : order.length);
    const environments = [...new Set(deployments.map((d) => d.environment))]
      .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))
      .map((environment) => ({
        environment,
        live: live.get(environment) === artifact.digest,
        latest: summary(deployments.find((d) => d.environment === environment)!),
      }));
    return {
      ...artifact,
      liveIn: environments.filter((e) => e.live).map((e) => e.environment),
      environments,
      deployments: deployments.map(summary),
      gates: gates === null ? null : [...gates],
    };
  }

  /** The digest live in each environment of ferry.yaml, where one is. */
  private async liveByEnvironment(service: string): Promise<Map<string, string>> {
    const live = new Map<string, string>();
    for (const { name } of this.deps.config().environments) {
      const history = await this.deps.deployments.list({ service, environment: name }, 100);
      const digest = liveDigest(history);
      if (digest !== undefined) live.set(name, digest);
    }
    return live;
  }
}

function summary(d: Deployment): ArtifactDeployment {
  return {
    id: d.id,
    environment: d.environment,
    kind: d.kind,
    phase: d.phase,
    reason: d.reason,
    createdAt: d.createdAt,
    finishedAt: d.finishedAt,
  };
}
