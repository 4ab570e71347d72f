import type { ConfigHolder } from '../config/config-holder.js';
import type { FerryConfig } from '../config/ferry-config.js';
import type { ArtifactStore } from '../features/artifacts/artifact-store.js';
import { ArtifactService } from '../features/artifacts/artifact-service.js';
import { dataFolderBlobs } from '../features/artifacts/blob-store.js';
import type { EventLog } from '../features/events/event-log.js';
import type { InstanceRuntime } from '../features/instances/instance-runtime.js';
import type { Clock } from '../shared/clock.js';

/**
 * The artifact service: records in `store`, blobs under `<dataDir>/artifacts`, and a check of
 * each upload against the release the runtime keeps for a target, where it keeps one.
 */
export function composeArtifacts(parts: {
  readonly store: ArtifactStore;
  readonly dataDir: string;
  readonly config: FerryConfig;
  /** Read at use time when given (`ferry apply`); else `config`. */
  readonly holder?: ConfigHolder;
  readonly events: EventLog;
  readonly runtime: InstanceRuntime;
  readonly clock: Clock;
}): ArtifactService {
  const { runtime } = parts;
  const artifacts: ArtifactService = new ArtifactService(
    parts.store,
    dataFolderBlobs(parts.dataDir),
    parts.events,
    parts.clock,
    liveConfig(parts.holder ?? { current: parts.config }),
    (target, digest): Promise<void> =>
      runtime.verifyRelease?.({
        ...target,
        artifactDigest: digest,
      }) ?? Promise.resolve(),
  );
  return artifacts;
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
