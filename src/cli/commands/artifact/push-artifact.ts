import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { packDirectory, sourceCommitOf } from '../../../features/artifacts/pack-directory.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { UsageError } from '../../usage-error.js';
import { formatSize } from './format-size.js';

export interface PushInput {
  readonly action: 'push';
  readonly service: string;
  /** A folder (packed like `ferry deploy --dir`) or a `.tar.gz` file (sent as it is). */
  readonly path: string;
  readonly version: string;
  readonly commit: string | null;
  readonly branch: string | null;
  readonly buildUrl: string | null;
  readonly meta: Readonly<Record<string, string>>;
}

/**
 * `ferry artifact push`: stores an artifact without deploying it, as CI does. A folder is packed
 * reproducibly (its git HEAD is the commit unless `--commit`); a `.tar.gz` is streamed as it is.
 * Pushing the same bytes again changes nothing and says so. `--json`: `{artifact, created}`.
 */
export async function pushArtifact(input: PushInput, context: CommandContext): Promise<number> {
  const kind = await stat(input.path).then(
    (s) => (s.isDirectory() ? 'folder' : s.isFile() ? { sizeBytes: s.size } : undefined),
    () => undefined,
  );
  if (kind === undefined) {
    throw new UsageError(`"${input.path}" is neither a folder nor a .tar.gz file`);
  }
  if (kind !== 'folder' && !/\.(tar\.gz|tgz)$/.test(input.path)) {
    throw new UsageError(`"${input.path}" is not a folder or a .tar.gz file`);
  }
  const body =
    kind === 'folder'
      ? await packDirectory(input.path)
      : {
          // Streamed in 1 MiB reads: the file is never held in memory, and the default 64 KiB
          // reads cost a thread-pool round trip each.
          stream: createReadStream(input.path, { highWaterMark: 1024 * 1024 }),
          sizeBytes: kind.sizeBytes,
        };
  const sourceCommit =
    input.commit ?? (kind === 'folder' ? await sourceCommitOf(input.path) : null);
  const { artifact, created } = await context
    .client()
    .pushArtifact(input.service, input.version, body, {
      sourceCommit,
      branch: input.branch,
      buildUrl: input.buildUrl,
      meta: input.meta,
    });
  if (context.json) {
    writeJson(context.io.stdout, { artifact, created });
    return exitCodes.ok;
  }
  const what = `${artifact.service} ${artifact.version} ${artifact.digest} (${formatSize(artifact.sizeBytes)})`;
  writeLine(
    context.io.stdout,
    created ? `pushed ${what}` : `${what} was already pushed with the same bytes: nothing changed`,
  );
  return exitCodes.ok;
}
