import type { Artifact } from '../../api-types.js';
import { writeJson } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';
import { FerryError } from '../../../errors/ferry-error.js';

export type ArtifactInput =
  | { readonly action: 'list'; readonly service: string }
  | { readonly action: 'show'; readonly service: string; readonly version: string };

/**
 * `list`: a table of a service's artifacts, newest first, with the environments each is live in
 * (`--json`: `{artifacts}`). `show`: one artifact's fields, one per line (`--json`: the artifact
 * with `liveIn`).
 */
export async function runArtifact(input: ArtifactInput, context: CommandContext) {
  const { io, json } = context;
  const client = context.client();
  const [artifacts, status] = await Promise.all([
    client.artifacts(input.service),
    client.service(input.service),
  ]);
  const liveIn = (a: Artifact) =>
    status.environments
      .filter((e) => e.live?.artifactDigest === a.digest)
      .map((e) => e.environment);
  if (input.action === 'list') {
    if (json) {
      writeJson(io.stdout, { artifacts: artifacts.map((a) => ({ ...a, liveIn: liveIn(a) })) });
      return exitCodes.ok;
    }
    const rows = artifacts.map((a) => [
      a.version,
      a.digest.slice(7, 19),
      formatSize(a.sizeBytes),
      a.sourceCommit,
      a.createdAt,
      liveIn(a).join(',') || null,
    ]);
    io.stdout.write(
      renderTable(['version', 'digest', 'size', 'commit', 'created', 'live in'], rows),
    );
    return exitCodes.ok;
  }
  const artifact = artifacts.find((a) => a.version === input.version);
  if (!artifact) {
    const known = artifacts.map((a) => a.version).join(', ') || 'none yet';
    throw new FerryError(
      'not_found',
      `no artifact ${input.service} ${input.version}; uploaded versions: ${known}`,
    );
  }
  const shown = { ...artifact, liveIn: liveIn(artifact) };
  if (json) {
    writeJson(io.stdout, shown);
    return exitCodes.ok;
  }
  const fields: [string, string][] = [
    ['service', shown.service],
    ['version', shown.version],
    ['digest', shown.digest],
    ['size', formatSize(shown.sizeBytes)],
    ['commit', shown.sourceCommit ?? '-'],
    ['created', shown.createdAt],
    ['live in', shown.liveIn.join(', ') || '-'],
  ];
  for (const [key, value] of fields) io.stdout.write(`${`${key}:`.padEnd(9)}${value}\n`);
  return exitCodes.ok;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
