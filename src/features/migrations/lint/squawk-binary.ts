import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The path of the squawk binary the pinned `squawk-cli` package installed for this platform
 * (its optional dependency `@squawk-cli/<os>-<arch>`), never one found on PATH: the rules and
 * their output are those of the version Ferry was tested with.
 */
export function squawkBinary(): string {
  const cli = require('squawk-cli/js/index.js') as { getBinaryPath(): string };
  return cli.getBinaryPath();
}
