import { compareText, copyRow, duplicateKey } from '../../store/in-memory-rows.js';
import { activePhases, type Deployment } from './domain/deployment.js';
import type { DeploymentStore, DeploymentWrite } from './deployment-store.js';
import type { FerryEvent } from '../events/event.js';
import type { EventStore } from '../events/event-store.js';
import { InMemoryEventStore } from '../events/in-memory-event-store.js';

type Patch = Extract<DeploymentWrite, { id: string }>['patch'];

/** Newest first: `createdAt`, then id, both descending. */
const newestFirst = (a: Deployment, b: Deployment) =>
  compareText(b.createdAt, a.createdAt) || compareText(b.id, a.id);

/** DeploymentStore in memory, for tests. */
export class InMemoryDeploymentStore implements DeploymentStore {
  private readonly deployments = new Map<string, Deployment>();

  /** `events`: where committed events go; share it with the event log's store. */
  constructor(private readonly events: EventStore = new InMemoryEventStore()) {}

  /** Stores nothing unless every part can be stored, like the table's transaction. */
  async commit(write: DeploymentWrite): Promise<readonly FerryEvent[]> {
    // Payloads go through JSON first, as into the table: one that cannot, fails before any write.
    const events = write.events.map((e) => ({
      ...copyRow(e),
      payload: JSON.parse(JSON.stringify(e.payload)) as Record<string, unknown>,
    }));
    if ('insert' in write) {
      if (this.deployments.has(write.insert.id)) throw duplicateKey('deployments', write.insert.id);
      const { fastRollback, conditions, ...rest } = copyRow(write.insert);
      this.deployments.set(write.insert.id, {
        ...rest,
        ...(fastRollback ? { fastRollback } : {}),
        ...(conditions?.length ? { conditions } : {}),
      });
      if (write.supersedes) this.patch(write.supersedes.id, copyRow(write.supersedes.patch));
    } else {
      this.patch(write.id, copyRow(write.patch));
    }
    const stored: FerryEvent[] = [];
    for (const event of events) stored.push(await this.events.append(event));
    return stored;
  }

  /** Like the table: a missing id changes nothing, and an absent field keeps its value. */
  private patch(id: string, patch: Patch): void {
    const current = this.deployments.get(id);
    if (!current) return;
    const { cause, conditions, ...rest } = {
      ...current,
      updatedAt: patch.updatedAt,
      ...(patch.phase ? { phase: patch.phase } : {}),
      ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
      ...(patch.cause !== undefined ? { cause: patch.cause } : {}),
      ...(patch.conditions !== undefined ? { conditions: patch.conditions } : {}),
      ...(patch.lastProgressAt ? { lastProgressAt: patch.lastProgressAt } : {}),
      ...(patch.finishedAt !== undefined ? { finishedAt: patch.finishedAt } : {}),
      ...(patch.rollout !== undefined ? { rollout: patch.rollout } : {}),
    };
    this.deployments.set(id, {
      ...rest,
      ...(cause ? { cause } : {}),
      ...(conditions?.length ? { conditions } : {}),
    });
  }

  async get(id: string): Promise<Deployment | undefined> {
    const deployment = this.deployments.get(id);
    return deployment && copyRow(deployment);
  }

  async list(
    target: { readonly service: string; readonly environment: string },
    limit: number,
  ): Promise<readonly Deployment[]> {
    return this.all()
      .filter((d) => d.service === target.service && d.environment === target.environment)
      .sort(newestFirst)
      .slice(0, limit);
  }

  async listByArtifact(service: string, digest: string): Promise<readonly Deployment[]> {
    return this.all()
      .filter((d) => d.service === service && d.artifactDigest === digest)
      .sort(newestFirst);
  }

  async listActive(): Promise<readonly Deployment[]> {
    return this.all()
      .filter((d) => activePhases.includes(d.phase))
      .sort((a, b) => newestFirst(b, a));
  }

  async listLatest(): Promise<readonly Deployment[]> {
    const latest = new Map<string, Deployment>();
    for (const d of this.all().sort(newestFirst)) {
      const key = JSON.stringify([d.service, d.environment]);
      if (!latest.has(key)) latest.set(key, d);
    }
    return [...latest.values()];
  }

  private all(): Deployment[] {
    return [...this.deployments.values()].map(copyRow);
  }
}
