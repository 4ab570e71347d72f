import { formatConfigWarning } from '../../../config/config-problem.js';
import { loadConfigFile } from '../../../config/load-config.js';
import { ConfigError } from '../../../errors/ferry-error.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderCliError } from '../../render-cli-error.js';

/**
 * Loads the file; prints a summary when valid (after its warnings, such as deprecated fields),
 * every problem when not.
 */
export async function runValidate(input: { file: string }, { io, json }: CommandContext) {
  try {
    const config = await loadConfigFile(input.file);
    const services = Object.keys(config.services);
    const environments = config.environments.map((e) => e.name);
    const { warnings } = config;
    if (json) writeJson(io.stdout, { valid: true, services, environments, warnings });
    for (const warning of warnings) writeLine(io.stderr, formatConfigWarning(warning));
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    writeLine(
      io.stderr,
      `${input.file} is valid: ${plural(services.length, 'service')}, ${plural(environments.length, 'environment')}`,
    );
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (json) writeJson(io.stdout, { valid: false, errors: error.details });
    return renderCliError(error, io, false);
  }
}
