import type { MigrationStatusView } from '../../../features/migrations/migration-schemas.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import type { MigrationsStatusInput } from './migrations-input.js';

/**
 * Per service and environment: applied, pending expand, pending contract with every reason it
 * waits, checksum mismatches. Exits 1 when a database could not be read or an applied file
 * changed (a deploy would be refused). `--json`: `{migrations: [...]}`, as the API answers.
 */
export async function migrationsStatus(input: MigrationsStatusInput, context: CommandContext) {
  const migrations = await context.client().migrations({
    ...(input.environment ? { environment: input.environment } : {}),
    ...(input.service ? { service: input.service } : {}),
  });
  const failed = migrations.some((m) => m.error !== null || m.mismatches.length > 0);
  if (context.json) {
    writeJson(context.io.stdout, { migrations });
    return failed ? exitCodes.failed : exitCodes.ok;
  }
  if (migrations.length === 0) {
    writeLine(context.io.stderr, 'no service with a database runs there');
    return exitCodes.ok;
  }
  writeLine(context.io.stdout, migrations.map(describeStatus).join('\n\n'));
  return failed ? exitCodes.failed : exitCodes.ok;
}

/** A few lines for one service in one environment. */
export function describeStatus(status: MigrationStatusView): string {
  const { service, environment } = status;
  const lines = [
    `${service} in ${environment}${status.artifact ? ` (${status.artifact.version})` : ''}`,
  ];
  if (status.error !== null) {
    lines.push(`  database: ${status.error}`);
    return lines.join('\n');
  }
  const applied = status.applied.map((m) => m.version);
  lines.push(`  applied: ${applied.length === 0 ? 'none' : applied.join(', ')}`);
  if (status.pendingExpand.length > 0) {
    lines.push(`  pending expand: ${status.pendingExpand.map((f) => f.path).join(', ')}`);
  }
  for (const pending of status.pendingContract) {
    if (pending.ready) {
      lines.push(
        `  pending contract: ${pending.file.path} ready: ferry migrations contract ${service} --env ${environment}`,
      );
      continue;
    }
    lines.push(`  pending contract: ${pending.file.path} waits:`);
    for (const reason of pending.reasons) lines.push(`    - ${reason}`);
  }
  for (const mismatch of status.mismatches) {
    lines.push(
      `  checksum mismatch: ${mismatch.path} was applied as ${mismatch.applied}, the file is now ${mismatch.file}`,
    );
  }
  if (status.unknownApplied.length > 0) {
    lines.push(
      `  applied, not in ${status.artifact?.version ?? 'the artifact'}: ${status.unknownApplied.map((m) => m.version).join(', ')}`,
    );
  }
  return lines.join('\n');
}
