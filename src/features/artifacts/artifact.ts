/**
 * An immutable, content-addressed build of a service. The version label is a name for the
 * digest and can never be re-pointed to another one.
 */
export interface Artifact {
  readonly service: string;
  readonly version: string;
  /** `sha256:<64 hex>` of the `.tar.gz` bytes. */
  readonly digest: string;
  readonly sourceCommit: string | null;
  /** The branch CI built it from; null when not given. */
  readonly branch: string | null;
  /** Where a person reads about the build (a CI job); null when not given. */
  readonly buildUrl: string | null;
  /** Free build metadata (`builder: gha`, `pr: 42`); `{}` when none. */
  readonly meta: Readonly<Record<string, string>>;
  readonly sizeBytes: number;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
}

const digestPattern = /^sha256:[0-9a-f]{64}$/;

export function isDigest(text: string): boolean {
  return digestPattern.test(text);
}

/** First 12 hex digits: enough for people, used in folder names and listings. */
export function shortDigest(digest: string): string {
  return digest.slice('sha256:'.length, 'sha256:'.length + 12);
}
