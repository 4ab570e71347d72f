import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ferryVersion } from '../../shared/ferry-version.js';

/** The compiled folders a worker's behaviour comes from. */
const codeFolders = ['../router', '.', '../../features/routing'].map((folder) =>
  join(dirname(fileURLToPath(import.meta.url)), folder),
);

let cached: { readonly key: string; readonly build: string } | undefined;

/**
 * What identifies the code a fresh worker would run: Ferry's version and a digest of the worker
 * entry and the router's compiled files on disk now, so a new build on disk changes it. Files are
 * read again only when a size or modification time changed.
 */
export function routerBuild(workerEntry: string): string {
  const files = [workerEntry, ...codeFolders.flatMap(jsFiles)].sort();
  const key = files.map((file) => `${file}:${stamp(file)}`).join('\n');
  if (cached?.key === key) return cached.build;
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update('missing');
    }
  }
  const build = `${ferryVersion()}+${hash.digest('hex').slice(0, 16)}`;
  cached = { key, build };
  return build;
}

function jsFiles(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((name) => name.endsWith('.js'))
      .map((name) => join(folder, name));
  } catch {
    return [];
  }
}

function stamp(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
