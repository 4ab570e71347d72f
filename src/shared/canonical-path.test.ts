import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalPath } from './canonical-path.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-canonical-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('canonicalPath', () => {
  it('makes a relative path absolute and resolves symlinks, also below a missing part', () => {
    const real = join(root, 'real');
    mkdirSync(real);
    symlinkSync(real, join(root, 'link'));
    const realRoot = canonicalPath(root);

    expect(canonicalPath(relative(process.cwd(), join(root, 'link')))).toBe(join(realRoot, 'real'));
    expect(canonicalPath(join(root, 'link', 'missing', 'deeper'))).toBe(
      join(realRoot, 'real', 'missing', 'deeper'),
    );
    expect(canonicalPath('/')).toBe('/');
  });
});
