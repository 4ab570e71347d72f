import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { FerryError } from '../../errors/ferry-error.js';
import type { ConfigApplyService } from './config-apply-service.js';
import { rejectedLines } from './config-rejected.js';
import { describeApply } from './domain/apply-plan.js';

/** What a reload did, as lines for people: the difference, or why nothing changed. */
export interface ReloadOutcome {
  readonly applied: boolean;
  readonly lines: readonly string[];
}

/**
 * SIGHUP: reads `path` again and applies it as `ferry apply` does, without prune. A file that
 * does not validate gives `file:line:col path: message` lines and the server keeps the
 * configuration it had. Never throws: a reload cannot stop the server.
 */
export async function reloadConfigFile(
  apply: ConfigApplyService,
  path: string,
  logger: Logger,
): Promise<ReloadOutcome> {
  try {
    const text = await readFile(path, 'utf8');
    const result = await apply.apply({ text, file: path, prune: false, dryRun: false }, 'sighup');
    const lines = [`${path} applied:`, ...describeApply(result)];
    logger.info({ lines }, 'configuration reloaded');
    return { applied: true, lines };
  } catch (error) {
    const problems =
      error instanceof FerryError && error.code === 'config_rejected'
        ? rejectedLines(error)
        : [error instanceof Error ? error.message : String(error)];
    const lines = [`${path} not applied; the server keeps its configuration:`, ...problems];
    logger.error({ lines }, 'configuration not reloaded');
    return { applied: false, lines };
  }
}
