import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailFile } from './log-file.js';
import { makeTempDir } from './test-fixtures.js';

let root: string;

beforeAll(async () => {
  root = await makeTempDir();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('tailFile', () => {
  it('returns the last lines of a file larger than one chunk', async () => {
    const path = join(root, 'big.log');
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    await writeFile(path, `${lines.join('\n')}\n`);

    expect(await tailFile(path, 3, 1000)).toEqual(lines.slice(-3));
    expect(await tailFile(path, 400, 1000)).toEqual(lines.slice(-400));
    expect(await tailFile(path, 10_000, 1000)).toEqual(lines);
  });

  it('keeps a last line without a newline, and reads small or missing files', async () => {
    const path = join(root, 'small.log');
    await writeFile(path, 'a\nb\nc');
    expect(await tailFile(path, 2)).toEqual(['b', 'c']);
    expect(await tailFile(path, 0)).toEqual([]);
    expect(await tailFile(join(root, 'missing.log'), 5)).toEqual([]);
  });
});
