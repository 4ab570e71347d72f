import type { ConfigHolder } from '../config/config-holder.js';
import type { FerryConfig } from '../config/ferry-config.js';
import { ArtifactCatalog } from '../features/artifacts/artifact-catalog.js';
import { ArtifactRetention } from '../features/artifacts/artifact-retention.js';
import type { Artifact } from '../features/artifacts/artifact.js';
import type { ArtifactStore } from '../features/artifacts/artifact-store.js';
import { ArtifactService } from '../features/artifacts/artifact-service.js';
import { dataFolderBlobs } from '../features/artifacts/blob-store.js';
import type { DeploymentStore } from '../features/deployments/deployment-store.js';
import type { EventLog } from '../features/events/event-log.js';
import type { GateResultStore } from '../features/gate-results/gate-result-store.js';
import type { InstanceRuntime } from '../features/instances/instance-runtime.js';
import type { Clock } from '../shared/clock.js';
import type { ScopeLock } from '../shared/scope-lock.js';

/** The artifacts feature: uploads, the catalog people browse, and retention. */
export interface ComposedArtifacts {
  readonly service: ArtifactService;
  readonly catalog: ArtifactCatalog;
  readonly retention: ArtifactRetention;
}

/**
 * The artifact service: records in `store`, blobs under `<dataDir>/artifacts`, and a check of
 * each upload against the release the runtime keeps for a target, where it keeps one. The catalog
 * and retention read deployments (and gate results, when given) to say where each artifact ran.
 */
export function composeArtifacts(parts: {
  readonly store: ArtifactStore;
  readonly deployments: DeploymentStore;
  readonly gateResults?: GateResultStore;
  readonly dataDir: string;
  readonly config: FerryConfig;
  /** Read at use time when given (`ferry apply`); else `config`. */
  readonly holder?: ConfigHolder;
  readonly events: EventLog;
  readonly runtime: InstanceRuntime;
  readonly clock: Clock;
  readonly locks?: ScopeLock;
  /** Told of each newly pushed artifact (the migrations lint gate); nothing by default. */
  readonly onPushed?: (artifact: Artifact) => Promise<unknown>;
}): ComposedArtifacts {
  const { runtime } = parts;
  const blobs = dataFolderBlobs(parts.dataDir);
  const holder = parts.holder ?? { current: parts.config };
  const config = () => holder.current;
  const service: ArtifactService = new ArtifactService(
    parts.store,
    blobs,
    parts.events,
    parts.clock,
    liveConfig(holder),
    (target, digest): Promise<void> =>
      runtime.verifyRelease?.({
        ...target,
        artifactDigest: digest,
      }) ?? Promise.resolve(),
    parts.onPushed,
  );
  const catalog = new ArtifactCatalog({
    artifacts: service,
    deployments: parts.deployments,
    config,
    ...(parts.gateResults ? { gateResults: parts.gateResults } : {}),
  });
  const retention = new ArtifactRetention({
    store: parts.store,
    blobs,
    deployments: parts.deployments,
    events: parts.events,
    config,
    ...(parts.locks ? { locks: parts.locks } : {}),
    ...(runtime.pruneReleases ? { pruneReleases: runtime.pruneReleases.bind(runtime) } : {}),
  });
  return { service, catalog, retention };
}

/** The parts of the configuration artifacts read, taken from the holder at each read. */
function liveConfig(holder: { readonly current: FerryConfig }) {
  return {
    get services() {
      return holder.current.services;
    },
    get environments() {
      return holder.current.environments;
    },
    get artifacts() {
      return holder.current.artifacts;
    },
  };
}
