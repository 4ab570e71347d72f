import { stat } from 'node:fs/promises';
import { shortDigest } from '../../../features/artifacts/artifact.js';
import { packDirectory, sourceCommitOf } from '../../../features/artifacts/pack-directory.js';
import { writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { UsageError } from '../../usage-error.js';

/** Packs `dir` reproducibly and uploads it as `service@version`; re-uploading is a no-op. */
export async function uploadArtifact(
  input: { service: string; version: string; dir: string; environment?: string },
  { io, client }: CommandContext,
) {
  const isDir = await stat(input.dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UsageError(`--dir "${input.dir}" is not a folder`);
  const [bytes, commit] = await Promise.all([packDirectory(input.dir), sourceCommitOf(input.dir)]);
  const artifact = await client().putArtifact(
    input.service,
    input.version,
    bytes,
    commit,
    input.environment,
  );
  const size = `${(artifact.sizeBytes / 1024).toFixed(1)} KiB`;
  writeLine(
    io.stderr,
    `artifact ${artifact.service} ${artifact.version} ${shortDigest(artifact.digest)} (${size}${commit ? `, commit ${shortCommit(commit)}` : ''})`,
  );
  return artifact;
}

/** `8a0bea19c1c0` or `8a0bea19c1c0-dirty`: short, but never hiding uncommitted changes. */
function shortCommit(commit: string): string {
  const dirty = commit.endsWith('-dirty');
  return commit.slice(0, 12) + (dirty ? '-dirty' : '');
}
