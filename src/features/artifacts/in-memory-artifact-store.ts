import { compareText, copyRow } from '../../store/in-memory-rows.js';
import type { Artifact } from './artifact.js';
import type { ArtifactStore } from './artifact-store.js';

const keyOf = (service: string, version: string) => JSON.stringify([service, version]);

const newestFirst = (a: Artifact, b: Artifact) =>
  compareText(b.createdAt, a.createdAt) || compareText(b.version, a.version);

/** ArtifactStore in memory, for tests: one artifact per service and version. */
export class InMemoryArtifactStore implements ArtifactStore {
  private readonly artifacts = new Map<string, Artifact>();

  async get(service: string, version: string): Promise<Artifact | undefined> {
    const artifact = this.artifacts.get(keyOf(service, version));
    return artifact && copyRow(artifact);
  }

  async insert(artifact: Artifact): Promise<boolean> {
    const key = keyOf(artifact.service, artifact.version);
    if (this.artifacts.has(key)) return false;
    this.artifacts.set(key, copyRow(artifact));
    return true;
  }

  async list(service: string): Promise<readonly Artifact[]> {
    return [...this.artifacts.values()]
      .filter((a) => a.service === service)
      .sort(newestFirst)
      .map(copyRow);
  }

  async listByDigest(digest: string): Promise<readonly Artifact[]> {
    return [...this.artifacts.values()]
      .filter((a) => a.digest === digest)
      .sort(newestFirst)
      .map(copyRow);
  }

  async remove(service: string, version: string): Promise<boolean> {
    return this.artifacts.delete(keyOf(service, version));
  }
}
