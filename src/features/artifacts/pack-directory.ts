import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { create } from 'tar';

const skipped = new Set(['.git', '.ferry']);

/**
 * Packs a folder into a reproducible `.tar.gz`: files sorted, times and owners fixed, so the
 * same content always gives the same digest.
 */
export async function packDirectory(dir: string): Promise<Buffer> {
  const files = await listFiles(dir, dir);
  const stream = create({ gzip: true, cwd: dir, portable: true, mtime: new Date(0) }, files);
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (skipped.has(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, full)));
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(relative(root, full));
  }
  return out;
}

/** The commit of the folder's git work tree (with `-dirty` when it has changes), or null. */
export async function sourceCommitOf(dir: string): Promise<string | null> {
  const run = promisify(execFile);
  try {
    const { stdout } = await run('git', ['-C', dir, 'rev-parse', 'HEAD']);
    const { stdout: status } = await run('git', ['-C', dir, 'status', '--porcelain', '--', '.']);
    return stdout.trim() + (status.trim() ? '-dirty' : '');
  } catch {
    return null;
  }
}
