import type { FerryConfig } from '../../config/ferry-config.js';
import { FerryError, NotFoundError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import type { EventLog } from '../events/event-log.js';
import type { Artifact } from './artifact.js';
import type { ArtifactLimits } from './artifact-limits.js';
import type { ArtifactStore } from './artifact-store.js';
import type { BlobStore } from './blob-store.js';
import { noMetadata, type ArtifactMetadata } from './domain/artifact-metadata.js';
import { inChunksOf } from './in-chunks-of.js';
import { feedChunk, inspectTarball } from './inspect-tarball.js';

export interface ArtifactUpload {
  readonly service: string;
  readonly version: string;
  readonly sourceCommit: string | null;
  /** Branch, build URL and free metadata; none by default. */
  readonly metadata?: ArtifactMetadata;
  /** The `.tar.gz`: in memory, or streamed as it arrives (an HTTP request body). */
  readonly bytes: Buffer | AsyncIterable<Buffer>;
  readonly actor: string;
}

/** Where an artifact is about to run. */
export interface ArtifactTarget {
  readonly service: string;
  readonly environment: string;
}

/** Takes in artifacts (from `ferry deploy --dir` today, from CI later) and guards immutability. */
export class ArtifactService {
  constructor(
    private readonly store: ArtifactStore,
    private readonly blobs: BlobStore,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly config: Pick<FerryConfig, 'services' | 'environments' | 'artifacts'>,
    /** Checks an unpacked release of the artifact for the target, where the runtime keeps one. */
    private readonly verifyRelease: (
      target: ArtifactTarget,
      digest: string,
    ) => Promise<void> = () => Promise.resolve(),
    /**
     * Told of each newly stored artifact, after `artifact.created` (the migrations lint gate).
     * Its failure does not undo the push.
     */
    private readonly onPushed: (artifact: Artifact) => Promise<unknown> = () => Promise.resolve(),
  ) {}

  get limits(): ArtifactLimits {
    return this.config.artifacts;
  }

  /**
   * Refuses an upload for a service (or environment, when the uploader names the one it deploys
   * to) that ferry.yaml does not know, before any byte of it is read.
   */
  assertUploadTarget(service: string, environment: string | undefined): void {
    if (!Object.hasOwn(this.config.services, service)) throw new NotFoundError('service', service);
    if (environment !== undefined && !this.config.environments.some((e) => e.name === environment))
      throw new NotFoundError('environment', environment);
  }

  /**
   * Stores an upload once it is known to be a safe, well-formed `.tar.gz` within the limits.
   * The bytes are read once, as they arrive: hashed, checked through gunzip and tar, and written
   * to a temporary file that becomes the blob only when all is well (nothing is kept of a refused
   * upload). Pushing the same bytes under the same version again returns the existing artifact
   * (and restores its blob if that went missing); different bytes under an existing version are
   * refused.
   */
  async ingest(upload: ArtifactUpload): Promise<{ artifact: Artifact; created: boolean }> {
    this.assertUploadTarget(upload.service, undefined);
    const existing = await this.store.get(upload.service, upload.version);
    const staged = await this.blobs.stage();
    try {
      // In large pieces (256 KiB): gunzip, the hash and the disk each cost a fixed price per piece.
      const source = inChunksOf(
        feedChunk,
        Buffer.isBuffer(upload.bytes) ? [upload.bytes] : upload.bytes,
      );
      let digest: string;
      try {
        ({ digest } = await inspectTarball(staged.tee(source), this.limits, { hashFiles: false }));
      } catch (error) {
        throw staged.failure ?? error;
      }
      await staged.finish();
      if (existing) {
        this.checkSame(existing, digest);
        await staged.commit(this.blobs.path(digest));
        return { artifact: existing, created: false };
      }
      await staged.commit(this.blobs.path(digest));
      const artifact: Artifact = {
        service: upload.service,
        version: upload.version,
        digest,
        sourceCommit: upload.sourceCommit,
        ...(upload.metadata ?? noMetadata),
        sizeBytes: staged.size,
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
      await this.onPushed(artifact);
      return { artifact, created: true };
    } finally {
      await staged.discard();
    }
  }

  async get(service: string, version: string): Promise<Artifact> {
    const artifact = await this.store.get(service, version);
    if (!artifact) throw artifactNotFound(service, version);
    return artifact;
  }

  list(service: string): Promise<readonly Artifact[]> {
    return this.store.list(service);
  }

  blobPath(digest: string): string {
    return this.blobs.path(digest);
  }

  /**
   * Refuses to use an artifact whose blob is missing (`artifact_missing`) or no longer hashes to
   * its digest, or whose release for the target was changed (`artifact_corrupt`): deploys and
   * rollbacks call this before they start anything.
   */
  async verify(digest: string, target: ArtifactTarget): Promise<void> {
    await this.blobs.verify(digest);
    await this.verifyRelease(target, digest);
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

/**
 * `not_found` for a version never pushed (or deleted by retention), saying how to push it.
 * Keeps NotFoundError's `kind` and `name` for programs.
 */
function artifactNotFound(service: string, version: string): FerryError {
  return new FerryError(
    'not_found',
    `no artifact ${service} ${version}: push it first with "ferry artifact push ${service} <dir|tarball> --version ${version}"`,
    { extra: { kind: 'artifact', name: `${service}@${version}` } },
  );
}
