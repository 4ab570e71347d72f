const mebibyte = 1024 * 1024;

/**
 * Bounds on what an upload may be and may unpack to, checked while it arrives. Set in ferry.yaml
 * under `artifacts:`; these defaults apply otherwise.
 */
export interface ArtifactLimits {
  /** Largest `.tar.gz` body accepted, in bytes. Default 512 MiB. */
  readonly maxUploadSize: number;
  /** Largest uncompressed tar stream, in bytes. Default 2 GiB. */
  readonly maxUnpackedSize: number;
  /**
   * Largest uncompressed-to-compressed ratio, checked once more than {@link ratioFloor} bytes are
   * unpacked (small archives of headers compress far better than code). Default 200.
   */
  readonly maxRatio: number;
  /** Most entries (files, folders, links) in one archive. Default 100 000. */
  readonly maxEntries: number;
}

export const defaultArtifactLimits: ArtifactLimits = {
  maxUploadSize: 512 * mebibyte,
  maxUnpackedSize: 2048 * mebibyte,
  maxRatio: 200,
  maxEntries: 100_000,
};

/** Below this many unpacked bytes the ratio is not judged: a bomb is stopped after at most this. */
export const ratioFloor = 16 * mebibyte;
