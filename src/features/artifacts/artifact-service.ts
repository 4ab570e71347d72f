import { FerryError, NotFoundError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import type { EventLog } from '../events/event-log.js';
import type { Artifact } from './artifact.js';
import type { ArtifactStore } from './artifact-store.js';
import type { BlobStore } from './blob-store.js';

export interface ArtifactUpload {
  readonly service: string;
  readonly version: string;
  readonly sourceCommit: string | null;
  readonly bytes: Buffer;
  readonly actor: string;
}

/** Takes in artifacts (from `ferry deploy --dir` today, from CI later) and guards immutability. */
export class ArtifactService {
  constructor(
    private readonly store: ArtifactStore,
    private readonly blobs: BlobStore,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores an upload. Pushing the same bytes under the same version again returns the existing
   * artifact; different bytes under an existing version are refused.
   */
  async ingest(upload: ArtifactUpload): Promise<{ artifact: Artifact; created: boolean }> {
    const digest = await this.blobs.put(upload.bytes);
    const existing = await this.store.get(upload.service, upload.version);
    if (existing) return { artifact: this.checkSame(existing, digest), created: false };
    const artifact: Artifact = {
      service: upload.service,
      version: upload.version,
      digest,
      sourceCommit: upload.sourceCommit,
      sizeBytes: upload.bytes.length,
      createdAt: new Date(this.clock.now()).toISOString(),
    };
    if (!(await this.store.insert(artifact))) {
      const raced = await this.store.get(upload.service, upload.version);
      return { artifact: this.checkSame(raced ?? artifact, digest), created: false };
    }
    await this.events.append({
      actor: upload.actor,
      kind: 'artifact.created',
      subject: `artifact/${upload.service}/${upload.version}`,
      payload: { ...artifact },
    });
    return { artifact, created: true };
  }

  async get(service: string, version: string): Promise<Artifact> {
    const artifact = await this.store.get(service, version);
    if (!artifact) throw new NotFoundError('artifact', `${service}@${version}`);
    return artifact;
  }

  list(service: string): Promise<readonly Artifact[]> {
    return this.store.list(service);
  }

  blobPath(digest: string): string {
    return this.blobs.path(digest);
  }

  private checkSame(existing: Artifact, digest: string): Artifact {
    if (existing.digest !== digest) {
      throw new FerryError(
        'version_immutable',
        `version "${existing.version}" of ${existing.service} is already ${existing.digest}; ` +
          `choose a new version label for different content`,
        { extra: { existingDigest: existing.digest, digest } },
      );
    }
    return existing;
  }
}
