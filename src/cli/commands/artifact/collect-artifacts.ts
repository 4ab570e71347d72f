import { describeKeepReason } from '../../../features/artifacts/domain/retention-plan.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';
import { formatSize } from './format-size.js';

export interface CollectInput {
  readonly action: 'gc';
  readonly service?: string;
  readonly dryRun: boolean;
}

/**
 * `ferry artifact gc [--service S] [--dry-run]`: every artifact with `keep` and why, or `delete`
 * (`would delete` in a dry run), then a summary line on stderr. `--json`: the collection.
 */
export async function collectArtifacts(
  input: CollectInput,
  context: CommandContext,
): Promise<number> {
  const collection = await context.client().collectArtifacts({
    ...(input.service !== undefined ? { service: input.service } : {}),
    dryRun: input.dryRun,
  });
  if (context.json) {
    writeJson(context.io.stdout, collection);
    return exitCodes.ok;
  }
  const deleted = collection.artifacts.filter((a) => a.action === 'delete');
  const rows = collection.artifacts.map((a) => [
    a.service,
    a.version,
    a.digest.slice(7, 19),
    formatSize(a.sizeBytes),
    a.action === 'keep' ? 'keep' : input.dryRun ? 'would delete' : 'deleted',
    a.action === 'keep'
      ? a.reasons.map(describeKeepReason).join('; ')
      : a.blobRemoved
        ? 'beyond retention; blob removed'
        : 'beyond retention; blob shared, kept',
  ]);
  context.io.stdout.write(
    renderTable(['service', 'version', 'digest', 'size', 'action', 'why'], rows),
  );
  const bytes = deleted.filter((a) => a.blobRemoved).reduce((sum, a) => sum + a.sizeBytes, 0);
  const releases = collection.releasesRemoved.reduce((n, r) => n + r.folders.length, 0);
  writeLine(
    context.io.stderr,
    input.dryRun
      ? `dry run: ${deleted.length} of ${collection.artifacts.length} artifacts would be deleted (${formatSize(bytes)}); nothing changed`
      : `deleted ${deleted.length} of ${collection.artifacts.length} artifacts (${formatSize(bytes)})` +
          (releases > 0 ? ` and ${releases} unpacked release${releases === 1 ? '' : 's'}` : ''),
  );
  return exitCodes.ok;
}
