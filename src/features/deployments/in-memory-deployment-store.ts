import { compareText, copyRow, duplicateKey } from '../../store/in-memory-rows.js';
import { activePhases, type Deployment } from './domain/deployment.js';
import type { DeploymentStore } from './deployment-store.js';

type Patch = Parameters<DeploymentStore['update']>[1];

/** Newest first: `createdAt`, then id, both descending. */
const newestFirst = (a: Deployment, b: Deployment) =>
  compareText(b.createdAt, a.createdAt) || compareText(b.id, a.id);

/** DeploymentStore in memory, for tests. */
export class InMemoryDeploymentStore implements DeploymentStore {
  private readonly deployments = new Map<string, Deployment>();

  async insert(deployment: Deployment): Promise<void> {
    if (this.deployments.has(deployment.id)) throw duplicateKey('deployments', deployment.id);
    const { fastRollback, ...rest } = copyRow(deployment);
    this.deployments.set(deployment.id, fastRollback ? { ...rest, fastRollback } : rest);
  }

  /** Like the table: a missing id changes nothing, and an absent field keeps its value. */
  async update(id: string, patch: Patch): Promise<void> {
    const current = this.deployments.get(id);
    if (!current) return;
    this.deployments.set(id, {
      ...current,
      updatedAt: patch.updatedAt,
      ...(patch.phase ? { phase: patch.phase } : {}),
      ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
      ...(patch.lastProgressAt ? { lastProgressAt: patch.lastProgressAt } : {}),
      ...(patch.finishedAt !== undefined ? { finishedAt: patch.finishedAt } : {}),
      ...(patch.rollout !== undefined ? { rollout: copyRow(patch.rollout) } : {}),
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
