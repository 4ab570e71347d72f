import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { killOrphans } from '../../src/runtime/local/orphan-processes.js';
import { stopRouter } from '../../src/server/stop-router.js';
import { projectRoot } from '../../src/shared/project-root.js';
import { eventually } from '../support/deploy.js';

/** One line of the tour: the shell command, whether it runs in the background, its exit code. */
interface TourLine {
  readonly line: string;
  readonly command: string;
  readonly background: boolean;
  readonly exitCode: number;
}

/**
 * The lines of every ```sh block between `<!-- tour:start -->` and `<!-- tour:end -->`. A comment
 * starts at ` # `; a command ending in `&` runs in the background (the server; the test waits for
 * its /readyz); `exits N` in the comment is the exit code the line must have (0 otherwise). A
 * line that runs until interrupted (`--follow`, `--watch`) without `&` is refused, so the tour
 * cannot hang.
 */
function tourLines(markdown: string): TourLine[] {
  const start = markdown.indexOf('<!-- tour:start -->');
  const end = markdown.indexOf('<!-- tour:end -->');
  if (start < 0 || end < start) throw new Error('README.md has no <!-- tour:start/end --> markers');
  const blocks = markdown.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g);
  return [...blocks]
    .flatMap((block) => (block[1] ?? '').split('\n'))
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .map((line) => {
      const [code = '', comment = ''] = line.split(/\s+#\s/, 2);
      const command = code.trim();
      if (/--(follow|watch)\b/.test(command) && !command.endsWith('&')) {
        throw new Error(
          `"${line}" runs until interrupted: end it with & or move it out of the tour`,
        );
      }
      return {
        line,
        command: command.replace(/\s*&$/, ''),
        background: command.endsWith('&'),
        exitCode: Number(/exits (\d+)/.exec(comment)?.[1] ?? 0),
      };
    });
}

/** Runs one line with bash; resolves with its exit code and output. */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function versionAt(port: number): Promise<string | string[] | undefined> {
  const res = await request(`http://127.0.0.1:${port}/`);
  await res.body.dump();
  return res.headers['x-version'];
}

/**
 * README.md's tour, typed in order on a fresh machine: the commands are read from the README
 * itself and run as written by bash, with `ferry` on the PATH, in a fresh folder holding a copy
 * of examples/. Only ports differ, through the environment (FERRY_SERVER, FERRY_LISTEN) and the
 * copy of examples/ferry.yaml, so the test runs beside anything that holds 7700 or 8080.
 */
describe('the README tour', () => {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const lines = tourLines(readme);
  // Search-only for others: instances of a root server run as nobody and must reach releases.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-tour-')));
  chmodSync(dir, 0o711);
  let server: ChildProcess | undefined;
  let serverOutput = '';

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await stopRouter(join(dir, '.ferry'));
    await killOrphans(join(dir, '.ferry'));
  });

  it('reads a server, deploys, rollbacks, every rollout action, stop and start', () => {
    const commands = lines.map((l) => l.command.split(' ').slice(0, 3).join(' '));
    for (const expected of [
      'ferry server -f',
      'ferry rollback hello',
      'ferry promote hello',
      'ferry env',
      'ferry rollout get',
      'ferry rollout promote',
      'ferry rollout pause',
      'ferry rollout resume',
      'ferry rollout abort',
      'ferry rollout retry',
      'ferry stop hello',
      'ferry start hello',
    ]) {
      expect(commands).toContain(expected);
    }
  });

  it('runs every line in order, as written', { timeout: 600_000 }, async () => {
    const [apiPort, stagingPort, prodPort] = [await freePort(), await freePort(), await freePort()];
    cpSync(join(projectRoot(), 'examples'), join(dir, 'examples'), { recursive: true });
    const configPath = join(dir, 'examples/ferry.yaml');
    const config = readFileSync(configPath, 'utf8');
    expect(config).toContain('staging: 127.0.0.1:8081');
    expect(config).toContain('prod: 127.0.0.1:8080');
    writeFileSync(
      configPath,
      config
        .replace('127.0.0.1:8081', `127.0.0.1:${stagingPort}`)
        .replace('127.0.0.1:8080', `127.0.0.1:${prodPort}`),
    );
    // `ferry` on the PATH, as `npm link` puts it there.
    const binDir = join(dir, 'bin');
    mkdirSync(binDir);
    const ferryBin = join(projectRoot(), 'bin/ferry.js');
    writeFileSync(
      join(binDir, 'ferry'),
      `#!/bin/sh\nexec "${process.execPath}" "${ferryBin}" "$@"\n`,
    );
    chmodSync(join(binDir, 'ferry'), 0o755);
    const url = `http://127.0.0.1:${apiPort}`;
    const { FERRY_TOKEN: _token, ...inherited } = process.env;
    const env = {
      ...inherited,
      PATH: `${binDir}:${process.env['PATH'] ?? ''}`,
      FERRY_SERVER: url,
      FERRY_LISTEN: `127.0.0.1:${apiPort}`,
      FERRY_LOG_LEVEL: 'warn',
      // No token saved by an earlier `ferry login` of whoever runs the tests.
      XDG_CONFIG_HOME: join(dir, 'config'),
    };

    for (const line of lines) {
      if (line.background) {
        const child = spawn('bash', ['-c', `exec ${line.command}`], {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        server = child;
        child.stdout.on('data', (d: Buffer) => (serverOutput += d.toString()));
        child.stderr.on('data', (d: Buffer) => (serverOutput += d.toString()));
        await eventually(
          async () => {
            if (child.exitCode !== null) throw new Error(`${line.line}: exited: ${serverOutput}`);
            const res = await request(`${url}/readyz`).catch(() => undefined);
            await res?.body.dump();
            return res?.statusCode === 200 ? true : undefined;
          },
          30_000,
          `${line.command} to answer`,
        );
        continue;
      }
      const result = await run(line.command, dir, env);
      expect(result.code, `${line.line}\n${result.output}\nserver:\n${serverOutput}`).toBe(
        line.exitCode,
      );
    }

    // What a user sees at the end: v2 in staging again, promoted to prod and started again there.
    expect(await versionAt(stagingPort)).toBe('v2');
    expect(await versionAt(prodPort)).toBe('v2');
  });
});
