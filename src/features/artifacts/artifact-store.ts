import type { Artifact } from './artifact.js';

/** Persistence port for artifact metadata (the bytes live in the blob store). */
export interface ArtifactStore {
  get(service: string, version: string): Promise<Artifact | undefined>;
  /** Inserts; returns false when (service, version) already exists. */
  insert(artifact: Artifact): Promise<boolean>;
  /** One service's artifacts, newest first (ties: version descending). */
  list(service: string): Promise<readonly Artifact[]>;
  /** Every artifact, of any service, with this digest: whether a blob is still in use. */
  listByDigest(digest: string): Promise<readonly Artifact[]>;
  /** Deletes one artifact's row; returns false when there was none. Retention only. */
  remove(service: string, version: string): Promise<boolean>;
}
