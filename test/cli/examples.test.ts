import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { projectRoot } from '../../src/shared/project-root.js';

const examplesDir = join(projectRoot(), 'examples');
/** `examples/*.yaml` and each example app's own `examples/<app>/ferry.yaml`. */
const examples = readdirSync(examplesDir, { withFileTypes: true }).flatMap((entry) => {
  if (entry.isFile() && entry.name.endsWith('.yaml')) return [join(examplesDir, entry.name)];
  const own = join(examplesDir, entry.name, 'ferry.yaml');
  return entry.isDirectory() && existsSync(own) ? [own] : [];
});

/** Every ferry.yaml the project ships passes `ferry validate`, so no example teaches a mistake. */
describe('examples/*.yaml and examples/*/ferry.yaml', () => {
  it('includes the tour config, the blue-green one and the example apps', () => {
    expect(examples.map((path) => path.split('/').slice(-2).join('/'))).toEqual(
      expect.arrayContaining([
        'examples/ferry.yaml',
        'examples/blue-green.yaml',
        'python-app/ferry.yaml',
        'fastify-app/ferry.yaml',
        'notes/ferry.yaml',
      ]),
    );
  });

  it.each(examples)('%s passes ferry validate', async (path) => {
    const out = captureIo();
    expect(await main(['validate', '-f', path], out.io), out.stderr()).toBe(0);
    expect(out.stderr()).toMatch(/ is valid: /);
  });
});
