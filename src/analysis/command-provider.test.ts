import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ProviderError, type SpecOf } from '../features/analysis/metric-provider.js';
import { isLiveProcess } from '../runtime/local/proc-stat.js';
import { CommandProvider } from './command-provider.js';
import { testContext } from './test-context.js';

const provider = new CommandProvider();
const dir = mkdtempSync(join(tmpdir(), 'ferry-command-provider-'));

function node(script: string, extra: Partial<SpecOf<'command'>> = {}): SpecOf<'command'> {
  return { kind: 'command', argv: [process.execPath, '-e', script], timeoutMs: 30_000, ...extra };
}

/** A script that starts a child in its own process group, writes both pids, then waits forever. */
function spawnsAndWaits(pidFile: string): string {
  return `
    const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify([process.pid, child.pid]));
    setInterval(() => {}, 1000);`;
}

async function waitGone(pids: readonly number[]): Promise<number[]> {
  for (let tries = 0; tries < 100 && pids.some(isLiveProcess); tries += 1) await sleep(50);
  return pids.filter(isLiveProcess);
}

async function readPids(pidFile: string): Promise<number[]> {
  for (let tries = 0; tries < 400; tries += 1) {
    try {
      return JSON.parse(readFileSync(pidFile, 'utf8')) as number[];
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${pidFile} was never written`);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CommandProvider', () => {
  it('takes JSON stdout as a value', async () => {
    const spec = node('console.log(JSON.stringify({ p99: 120, ok: true }))');
    expect(await provider.measure(spec, testContext())).toEqual({ value: { p99: 120, ok: true } });
    expect(await provider.measure(node('console.log(0.25)'), testContext())).toEqual({
      value: 0.25,
    });
  });

  it('takes other stdout as trimmed text, and no output as no data', async () => {
    const spec = node("process.stdout.write('  all good \\n\\n')");
    expect(await provider.measure(spec, testContext())).toEqual({ value: 'all good' });
    expect(await provider.measure(node(''), testContext())).toEqual({ value: null });
  });

  it('tells the command who is measured, in its environment and working directory', async () => {
    const script = `console.log(JSON.stringify([process.cwd(), process.env.FERRY_SERVICE,
      process.env.FERRY_ENVIRONMENT, process.env.FERRY_TRACK, process.env.FERRY_VERSION,
      process.env.THRESHOLD]))`;
    const spec = node(script, { cwd: dir, env: { THRESHOLD: '5' } });
    expect(await provider.measure(spec, testContext())).toEqual({
      value: [dir, 'web', 'prod', 'canary', 'v2', '5'],
    });
  });

  it('fails on a non-zero exit with the code and the last line of stderr', async () => {
    const spec = node(
      "console.log('partial'); console.error('checking'); console.error('upstream unreachable\\n'); process.exit(3)",
    );
    const error = await provider.measure(spec, testContext()).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(
      /^command '.+ -e .+\.\.\.': exited with code 3: upstream unreachable$/,
    );
    await expect(
      provider.measure({ kind: 'command', argv: ['false'], timeoutMs: 30_000 }, testContext()),
    ).rejects.toThrow(new ProviderError("command 'false': exited with code 1"));
  });

  it('kills the whole process group when the command times out', async () => {
    const pidFile = join(dir, 'timeout.json');
    const measuring = provider.measure(
      node(spawnsAndWaits(pidFile), { timeoutMs: 4_000 }),
      testContext(),
    );
    const pids = await readPids(pidFile);
    const error = await measuring.catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/: timed out after 4s$/);
    expect(await waitGone(pids)).toEqual([]);
  });

  it('kills the command and rejects with the caller reason when the caller aborts', async () => {
    const pidFile = join(dir, 'abort.json');
    const controller = new AbortController();
    const measuring = provider.measure(
      node(spawnsAndWaits(pidFile)),
      testContext({ signal: controller.signal }),
    );
    const pids = await readPids(pidFile);
    controller.abort(new Error('rollout aborted'));
    const error = await measuring.catch((e) => e);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(error.message).toBe('rollout aborted');
    expect(await waitGone(pids)).toEqual([]);
  });

  it('ends whatever the command left running once it exits', async () => {
    const pidFile = join(dir, 'leftover.json');
    const script = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify([child.pid]));
      child.unref();
      console.log(1);`;
    expect(await provider.measure(node(script), testContext())).toEqual({ value: 1 });
    expect(await waitGone(await readPids(pidFile))).toEqual([]);
  });

  it('refuses more than 1 MiB of stdout', async () => {
    const spec = node(
      "process.stdout.write('x'.repeat(2 * 1024 * 1024)); setInterval(() => {}, 1000)",
    );
    await expect(provider.measure(spec, testContext())).rejects.toThrow(
      /: printed more than 1 MiB$/,
    );
  });

  it('says when the program cannot be started', async () => {
    const missing = { kind: 'command', argv: ['ferry-no-such-program'], timeoutMs: 5_000 } as const;
    await expect(provider.measure(missing, testContext())).rejects.toThrow(
      new ProviderError(
        "command 'ferry-no-such-program': cannot start: 'ferry-no-such-program' not found",
      ),
    );
    await expect(
      provider.measure({ ...node('1'), cwd: join(dir, 'missing') }, testContext()),
    ).rejects.toThrow(/cannot start: '.+' not found \(or no directory .+missing\)$/);
    await expect(
      provider.measure({ kind: 'command', argv: [], timeoutMs: 5_000 }, testContext()),
    ).rejects.toThrow(new ProviderError('command: argv is empty'));
  });
});
