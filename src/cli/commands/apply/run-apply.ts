import { readFile } from 'node:fs/promises';
import { ConfigError, FerryError } from '../../../errors/ferry-error.js';
import { rejectedLines } from '../../../features/config-apply/config-rejected.js';
import { describeApply } from '../../../features/config-apply/domain/apply-plan.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';

export interface ApplyInput {
  readonly file: string;
  readonly prune: boolean;
  readonly dryRun: boolean;
}

/**
 * Reads the file and sends its text to the server, which validates it with the loader of
 * `ferry validate`, answers the difference and applies it (not with `--dry-run`). The plan goes
 * to stderr; a file that does not validate prints `file:line:col path: message` per problem and
 * exits 1, with nothing changed. `--json`: the server's ApplyResult (or its error) on stdout.
 */
export async function runApply(input: ApplyInput, context: CommandContext) {
  const { io } = context;
  const text = await readConfigText(input.file);
  try {
    const result = await context.client().applyConfig({ text, ...input });
    const header = result.dryRun
      ? `plan for ${input.file} (dry run: nothing changed):`
      : `applied ${input.file}:`;
    writeLine(io.stderr, header);
    for (const line of describeApply(result)) writeLine(io.stderr, line);
    if (context.json) writeJson(io.stdout, result);
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof FerryError) || error.code !== 'config_rejected') throw error;
    for (const line of rejectedLines(error)) writeLine(io.stderr, line);
    writeLine(io.stderr, `error: ${error.message}`);
    if (context.json) writeJson(io.stdout, error.toJSON(), false);
    return exitCodes.failed;
  }
}

/** The file's text; a missing or unreadable file is a ConfigError, as in `ferry validate`. */
async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found; pass the path of your ferry.yaml with -f'
        : `cannot read the file (${code ?? String(error)})`;
    throw new ConfigError(path, [{ path: '(file)', message, location: path }]);
  }
}
