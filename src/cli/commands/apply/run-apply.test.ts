import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-apply-cli-'));
});
afterEach(async () => {
  await api?.close();
  api = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const emptyDiff = {
  services: { added: [], removed: [], changed: [{ name: 'web', fields: ['replicas'] }] },
  environments: { added: [], removed: [], changed: [] },
  targetsAdded: [],
  targetsRemoved: [],
  targetsChanged: [{ service: 'web', environment: 'prod', rollout: ['replicas'], next: [] }],
  restartNeeded: [],
};

describe('ferry apply', () => {
  it('sends the file’s text with prune and dry-run, and prints the plan', async () => {
    const file = join(dir, 'ferry.yaml');
    writeFileSync(file, 'apiVersion: ferry.dev/v1\n');
    api = await startFakeApi(() => ({
      json: {
        file,
        applied: false,
        dryRun: true,
        diff: emptyDiff,
        actions: [{ service: 'web', environment: 'prod', action: 'rollout', fields: ['replicas'] }],
      },
    }));
    const out = captureIo();
    const args = ['apply', '-f', file, '--prune', '--dry-run', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(api.requests[0]?.path).toBe('/api/v1/config');
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      text: 'apiVersion: ferry.dev/v1\n',
      file,
      prune: true,
      dryRun: true,
    });
    expect(out.stderr()).toBe(
      `plan for ${file} (dry run: nothing changed):\n` +
        '~ service web: replicas\n' +
        '  web/prod: rolls its live version out again with the new settings (replicas)\n',
    );
  });

  it('prints each problem of a rejected file as file:line:col path: message and exits 1', async () => {
    const file = join(dir, 'ferry.yaml');
    writeFileSync(file, 'services: {}\n');
    api = await startFakeApi(() => ({
      status: 422,
      json: {
        error: {
          code: 'config_rejected',
          message: `${file}: 1 error; nothing changed`,
          errors: [
            { file, line: 6, col: 15, path: 'services.web.replicas', message: 'expected a number' },
          ],
        },
      },
    }));
    const out = captureIo();
    expect(await main(['apply', '-f', file, '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe(
      `${file}:6:15 services.web.replicas: expected a number\n` +
        `error: ${file}: 1 error; nothing changed\n`,
    );
  });

  it('renders a refusal (a running service removed without --prune) as one line, exit 1', async () => {
    const file = join(dir, 'ferry.yaml');
    writeFileSync(file, 'services: {}\n');
    const message =
      'the file removes web in prod, which still runs: apply with --prune to stop it, or keep it in the file; nothing changed';
    api = await startFakeApi(() => ({
      status: 409,
      json: { error: { code: 'conflict', message } },
    }));
    const out = captureIo();
    expect(await main(['apply', '-f', file, '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe(`error: ${message}\n`);
  });

  it('says what to do when the file does not exist, without calling the server', async () => {
    api = await startFakeApi(() => ({ json: {} }));
    const out = captureIo();
    const file = join(dir, 'missing.yaml');
    expect(await main(['apply', '-f', file, '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe(
      `${file} (file): file not found; pass the path of your ferry.yaml with -f\n`,
    );
    expect(api.requests).toEqual([]);
  });
});
