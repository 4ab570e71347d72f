import type { FerryConfig } from '../../config/ferry-config.js';
import { NotFoundError } from '../../errors/ferry-error.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import { defaultRollbackWindow } from '../deployments/domain/rollback-window.js';
import type { DeploymentStore } from '../deployments/deployment-store.js';
import type { EventLog } from '../events/event-log.js';
import type { ArtifactStore } from './artifact-store.js';
import type { BlobStore } from './blob-store.js';
import { planRetention, type KeepReason } from './domain/retention-plan.js';

/** One artifact in a collection: kept with its reasons, or deleted (with its blob or not). */
export interface CollectedArtifact {
  readonly service: string;
  readonly version: string;
  readonly digest: string;
  readonly sizeBytes: number;
  readonly createdAt: string;
  readonly action: 'keep' | 'delete';
  readonly reasons: readonly KeepReason[];
  /** Deleted (or, in a dry run, would be) with its blob: no other artifact shares the digest. */
  readonly blobRemoved: boolean;
}

export interface Collection {
  readonly dryRun: boolean;
  /** Every artifact of the services collected, per service newest first. */
  readonly artifacts: readonly CollectedArtifact[];
  /** Unpacked release folders removed, per service and environment (none in a dry run). */
  readonly releasesRemoved: readonly {
    readonly service: string;
    readonly environment: string;
    readonly folders: readonly string[];
  }[];
}

/** Removes unpacked releases of a service/environment except `keep` (digests) and those in use. */
export type PruneReleases = (
  service: string,
  environment: string,
  keep: readonly string[],
) => Promise<readonly string[]>;

/**
 * `ferry artifact gc`: deletes the artifacts retention does not keep (see planRetention), their
 * blobs when no other artifact shares the digest, and the unpacked releases of deleted digests.
 * Each deletion is an `artifact.deleted` event. It holds the service's scope locks while it
 * plans and deletes, so a deploy cannot start from an artifact that is being deleted.
 */
export class ArtifactRetention {
  constructor(
    private readonly deps: {
      readonly store: ArtifactStore;
      readonly blobs: BlobStore;
      readonly deployments: DeploymentStore;
      readonly events: EventLog;
      readonly config: () => Pick<FerryConfig, 'services' | 'environments' | 'artifacts'>;
      readonly locks?: ScopeLock;
      readonly pruneReleases?: PruneReleases;
    },
  ) {}

  /** Collects one service, or every service of ferry.yaml; a dry run changes nothing. */
  async collect(options: {
    readonly service?: string;
    readonly dryRun: boolean;
    readonly actor: string;
  }): Promise<Collection> {
    const config = this.deps.config();
    if (options.service !== undefined && !Object.hasOwn(config.services, options.service)) {
      throw new NotFoundError('service', options.service);
    }
    const services =
      options.service !== undefined ? [options.service] : Object.keys(config.services);
    const artifacts: CollectedArtifact[] = [];
    const releasesRemoved: Collection['releasesRemoved'][number][] = [];
    for (const service of services) {
      const collected = await this.locked(service, () => this.collectService(service, options));
      artifacts.push(...collected.artifacts);
      releasesRemoved.push(...collected.releasesRemoved);
    }
    return { dryRun: options.dryRun, artifacts, releasesRemoved };
  }

  private async collectService(
    service: string,
    options: { readonly dryRun: boolean; readonly actor: string },
  ): Promise<Omit<Collection, 'dryRun'>> {
    const config = this.deps.config();
    const artifacts = await this.deps.store.list(service);
    const environments = [];
    for (const env of config.environments) {
      const history = await this.deps.deployments.list({ service, environment: env.name }, 200);
      environments.push({ name: env.name, from: env.from, history });
    }
    const plan = planRetention({
      artifacts,
      keep: config.artifacts.retention.keep,
      rollbackWindow: config.services[service]?.rollbackWindow ?? defaultRollbackWindow,
      environments,
    });
    const deleting = new Set(plan.filter((p) => !p.keep).map((p) => p.version));
    const collected: CollectedArtifact[] = [];
    for (const [i, artifact] of artifacts.entries()) {
      const decision = plan[i]!;
      const base = { ...pick(artifact), reasons: decision.reasons };
      if (decision.keep) {
        collected.push({ ...base, action: 'keep', blobRemoved: false });
        continue;
      }
      const sharers = (await this.deps.store.listByDigest(artifact.digest)).filter(
        (a) => !(a.service === service && deleting.has(a.version)),
      );
      const blobRemoved = sharers.length === 0;
      if (!options.dryRun) await this.delete(artifact, blobRemoved, options.actor);
      collected.push({ ...base, action: 'delete', blobRemoved });
    }
    const releasesRemoved = [];
    if (!options.dryRun && deleting.size > 0 && this.deps.pruneReleases) {
      const kept = collected.filter((a) => a.action === 'keep').map((a) => a.digest);
      for (const env of config.environments) {
        const folders = await this.deps.pruneReleases(service, env.name, kept);
        if (folders.length > 0) releasesRemoved.push({ service, environment: env.name, folders });
      }
    }
    return { artifacts: collected, releasesRemoved };
  }

  private async delete(
    artifact: { service: string; version: string; digest: string; sizeBytes: number },
    blobRemoved: boolean,
    actor: string,
  ): Promise<void> {
    if (!(await this.deps.store.remove(artifact.service, artifact.version))) return;
    if (blobRemoved) await this.deps.blobs.remove(artifact.digest);
    await this.deps.events.append({
      actor,
      kind: 'artifact.deleted',
      subject: `artifact/${artifact.service}/${artifact.version}`,
      payload: {
        service: artifact.service,
        version: artifact.version,
        digest: artifact.digest,
        sizeBytes: artifact.sizeBytes,
        blobRemoved,
      },
    });
  }

  /** Runs `work` holding the scope lock of every environment of the service, in ferry.yaml's order. */
  private locked<T>(service: string, work: () => Promise<T>): Promise<T> {
    const { locks } = this.deps;
    if (!locks) return work();
    return this.deps
      .config()
      .environments.reduceRight<() => Promise<T>>(
        (inner, env) => () => locks.run(`${service}/${env.name}`, inner),
        work,
      )();
  }
}

function pick(a: {
  service: string;
  version: string;
  digest: string;
  sizeBytes: number;
  createdAt: string;
}) {
  return {
    service: a.service,
    version: a.version,
    digest: a.digest,
    sizeBytes: a.sizeBytes,
    createdAt: a.createdAt,
  };
}
