import { compareText, copyRow, duplicateKey } from '../../store/in-memory-rows.js';
import type { InstanceRecord } from './instance-runtime.js';
import type { StoredInstance } from './instance.js';
import type { InstanceStore } from './instance-store.js';

type Patch = Parameters<InstanceStore['update']>[1];

const oldestFirst = (a: StoredInstance, b: StoredInstance) =>
  compareText(a.createdAt, b.createdAt) || compareText(a.id, b.id);

/** The record as the table keeps it: its columns, whose instance id is the row's own. */
const recordOf = (id: string, record: InstanceRecord | null) =>
  record && { ...copyRow(record), instanceId: id };

/** InstanceStore in memory, for tests. */
export class InMemoryInstanceStore implements InstanceStore {
  private readonly instances = new Map<string, StoredInstance>();

  async insert(instance: StoredInstance): Promise<void> {
    if (this.instances.has(instance.id)) throw duplicateKey('instances', instance.id);
    this.instances.set(instance.id, {
      ...copyRow(instance),
      record: recordOf(instance.id, instance.record),
      smokePassedAt: instance.smokePassedAt ?? null,
    });
  }

  /** Like the table: a missing id changes nothing, and an absent field keeps its value. */
  async update(id: string, patch: Patch): Promise<void> {
    const current = this.instances.get(id);
    if (!current) return;
    this.instances.set(id, {
      ...current,
      updatedAt: patch.updatedAt,
      ...(patch.intent ? { intent: patch.intent } : {}),
      ...(patch.restarts !== undefined ? { restarts: patch.restarts } : {}),
      ...(patch.smokePassedAt !== undefined ? { smokePassedAt: patch.smokePassedAt } : {}),
      ...(patch.record ? { record: recordOf(id, patch.record) } : {}),
    });
  }

  async get(id: string): Promise<StoredInstance | undefined> {
    const instance = this.instances.get(id);
    return instance && copyRow(instance);
  }

  async listLive(target?: {
    readonly service: string;
    readonly environment: string;
  }): Promise<readonly StoredInstance[]> {
    return this.all().filter(
      (i) =>
        i.intent !== 'stopped' &&
        (!target || (i.service === target.service && i.environment === target.environment)),
    );
  }

  async listOfDeployment(deploymentId: string): Promise<readonly StoredInstance[]> {
    return this.all().filter((i) => i.deploymentId === deploymentId);
  }

  private all(): StoredInstance[] {
    return [...this.instances.values()].sort(oldestFirst).map(copyRow);
  }
}
