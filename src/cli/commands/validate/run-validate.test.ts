import { describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo } from '../../test-api-server.js';

const fixture = (name: string) => `test/fixtures/config/${name}.yaml`;

describe('ferry validate', () => {
  it('says how many services and environments a valid file has', async () => {
    const out = captureIo();
    expect(await main(['validate', '-f', fixture('valid-full')], out.io)).toBe(0);
    expect(out.stderr()).toBe(`${fixture('valid-full')} is valid: 2 services, 2 environments\n`);
    expect(out.stdout()).toBe('');
  });

  it('reports a mistake as file:line:col path: message and exits 1', async () => {
    const out = captureIo();
    expect(await main(['validate', '--file', fixture('unknown-field')], out.io)).toBe(1);
    expect(out.stderr()).toBe(
      `${fixture('unknown-field')}:9:9 services.web.runtime.local.replica: unknown field "replica"; allowed fields are command, cwd, env, replicas, user\n`,
    );
  });

  it('prints {valid, services, environments} with --json', async () => {
    const out = captureIo();
    expect(await main(['validate', '-f', fixture('valid-full'), '--json'], out.io)).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual({
      valid: true,
      services: ['web', 'worker'],
      environments: ['staging', 'prod'],
      warnings: [],
    });
  });

  it('prints each warning as file:line:col field: message, and still exits 0', async () => {
    const file = fixture('deprecated-replicas');
    const out = captureIo();
    expect(await main(['validate', '-f', file], out.io)).toBe(0);
    expect(out.stderr()).toBe(
      `${file}:9:9 services.web.runtime.local.replicas: deprecated; move it to services.web.replicas\n` +
        `${file} is valid: 1 service, 1 environment\n`,
    );
  });

  it('prints {valid: false, errors} with --json', async () => {
    const out = captureIo();
    expect(await main(['validate', '-f', fixture('unknown-field'), '--json'], out.io)).toBe(1);
    expect(JSON.parse(out.stdout())).toEqual({
      valid: false,
      errors: [
        {
          path: 'services.web.runtime.local.replica',
          message: 'unknown field "replica"; allowed fields are command, cwd, env, replicas, user',
          location: `${fixture('unknown-field')}:9:9`,
        },
      ],
    });
  });

  it('says what to do when the file does not exist', async () => {
    const out = captureIo();
    expect(await main(['validate', '-f', 'no/such/ferry.yaml'], out.io)).toBe(1);
    expect(out.stderr()).toMatch(/^no\/such\/ferry\.yaml \(file\): file not found; create it/);
  });
});
