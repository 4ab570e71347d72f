import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { projectRoot } from '../../src/shared/project-root.js';

const examples = readdirSync(join(projectRoot(), 'examples'))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => join(projectRoot(), 'examples', name));

/** Every ferry.yaml the project ships passes `ferry validate`, so no example teaches a mistake. */
describe('examples/*.yaml', () => {
  it('includes the tour config and the blue-green one', () => {
    expect(examples.map((path) => path.split('/').at(-1))).toEqual(
      expect.arrayContaining(['ferry.yaml', 'blue-green.yaml']),
    );
  });

  it.each(examples)('%s passes ferry validate', async (path) => {
    const out = captureIo();
    expect(await main(['validate', '-f', path], out.io), out.stderr()).toBe(0);
    expect(out.stderr()).toMatch(/ is valid: /);
  });
});
