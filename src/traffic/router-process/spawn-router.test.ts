import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { routerStatePath } from '../control/control-protocol.js';
import { spawnRouter } from './spawn-router.js';
import { removeDataDir, testRouterSettings } from './test-router-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDataDir(dir);
});

describe('spawnRouter', () => {
  it('says why a router did not start, with the last lines of its log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-router-'));
    dirs.push(dataDir);
    // A bad entry stands in for a broken build: it prints its complaint and exits.
    const bin = join(dataDir, 'broken.js');
    writeFileSync(bin, "console.error('cannot load the router'); process.exit(1);\n");
    await expect(spawnRouter({ dataDir, settings: testRouterSettings(1), bin })).rejects.toThrow(
      /the router did not start \(exited: code 1\); last lines of .*router\.log:\ncannot load the router/,
    );
  });

  it('does not take a router.json of another process for its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-router-'));
    dirs.push(dataDir);
    const bin = join(dataDir, 'silent.js');
    // Writes a router.json naming some other pid, then exits.
    writeFileSync(
      bin,
      `require('fs').mkdirSync(${JSON.stringify(join(dataDir, 'router'))}, { recursive: true });
require('fs').writeFileSync(${JSON.stringify(routerStatePath(dataDir))}, JSON.stringify({ pid: 1, control: 'http://127.0.0.1:1', token: 'x'.repeat(32), startedAt: '' }));
setTimeout(() => process.exit(3), 300);
`,
    );
    await expect(spawnRouter({ dataDir, settings: testRouterSettings(1), bin })).rejects.toThrow(
      /exited: code 3/,
    );
  });
});
