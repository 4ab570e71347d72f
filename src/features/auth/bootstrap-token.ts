import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenService } from './token-service.js';

/** Where the bootstrap admin token is kept, mode 0600, until it is revoked. */
export function bootstrapTokenFile(dataDir: string): string {
  return join(dataDir, 'initial-admin-token');
}

/**
 * At every start: when no admin token is active, makes the bootstrap admin token and writes it to
 * `<data>/initial-admin-token` (0600) so it can be read again if the start's output was lost, as
 * Argo CD keeps its initial admin secret. Once that token is revoked or expired the file is
 * removed. Returns the new secret, to print once, or undefined.
 */
export async function bootstrapAdminToken(
  tokens: TokenService,
  dataDir: string,
): Promise<string | undefined> {
  const file = bootstrapTokenFile(dataDir);
  const secret = await tokens.bootstrap();
  if (secret !== undefined) {
    await rm(file, { force: true });
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
  const kept = await readFile(file, 'utf8').catch(() => undefined);
  if (kept !== undefined && !(await tokens.isActiveSecret(kept.trim()))) {
    await rm(file, { force: true });
  }
  return undefined;
}
