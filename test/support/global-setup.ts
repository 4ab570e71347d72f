import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** End-to-end tests run the real `ferry` binary: compile it once before any test file. */
export default function setup(): void {
  // For quick reruns after `npm run build`: FERRY_SKIP_BUILD=1 npx vitest run test/e2e
  if (process.env['FERRY_SKIP_BUILD'] === '1') return;
  const root = join(import.meta.dirname, '../..');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
