import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ferryVersion } from '../../shared/ferry-version.js';

/**
 * What identifies the code a fresh worker would run: Ferry's version and a digest of the worker
 * entry and the router's main files on disk, read now (a new build on disk changes it).
 */
export function routerBuild(workerEntry: string): string {
  const hash = createHash('sha256');
  for (const file of [workerEntry, new URL('../router/router.js', import.meta.url)]) {
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update('missing');
    }
  }
  return `${ferryVersion()}+${hash.digest('hex').slice(0, 16)}`;
}
