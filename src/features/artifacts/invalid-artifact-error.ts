import { FerryError } from '../../errors/ferry-error.js';

/** Why an upload was refused: the `reason` field of an `artifact_invalid` answer. */
export const artifactRejections = [
  'empty', // no bytes, or an archive without a single file
  'corrupt_gzip', // not gzip, or gzip that fails its checks
  'truncated', // gzip or tar cut short
  'corrupt_tar', // gzip holding something that is not a valid tar
  'unsafe_path', // an absolute path, a `..` segment, or a path through a symlink
  'link_outside', // a symlink or hardlink pointing outside the archive
  'special_file', // a device, fifo or other entry that is not a file, folder or link
  'too_many_entries', // over `artifacts.maxEntries`
  'unpacked_size_exceeded', // over `artifacts.maxUnpackedSize`
  'ratio_exceeded', // over `artifacts.maxRatio`
] as const;

export type ArtifactRejection = (typeof artifactRejections)[number];

/**
 * An upload that is not a safe, well-formed `.tar.gz`: HTTP 422 with a machine-readable `reason`
 * and, when one entry is to blame, its `entry` path.
 *
 * @example throw new InvalidArtifactError('unsafe_path', 'entry "../x" leaves the archive', '../x')
 */
export class InvalidArtifactError extends FerryError {
  readonly reason: ArtifactRejection;

  constructor(reason: ArtifactRejection, message: string, entry?: string) {
    super('artifact_invalid', `artifact refused (${reason}): ${message}`, {
      extra: { reason, ...(entry === undefined ? {} : { entry }) },
    });
    this.reason = reason;
  }
}
