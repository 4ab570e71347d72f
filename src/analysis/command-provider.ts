import { spawn } from 'node:child_process';
import {
  ProviderError,
  type MeasureContext,
  type MetricProvider,
  type ProviderResult,
  type SpecOf,
} from '../features/analysis/metric-provider.js';
import { formatDuration } from '../config/duration.js';
import { formatBytes } from './read-capped.js';

type CommandSpec = SpecOf<'command'>;

/** A check prints a number or a small document; more is a mistake, not a measurement. */
export const maxStdoutBytes = 1024 * 1024;
/** Only the end of stderr is kept: its last line is what explains a failure. */
const stderrTailBytes = 8 * 1024;

/** How the process ended, before it is read as a value or an error. */
type Ending =
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null }
  | { readonly kind: 'timedOut' | 'aborted' | 'tooMuchOutput' }
  | { readonly kind: 'failedToStart'; readonly error: NodeJS.ErrnoException };

interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/** `node -e "console.log(1)"`, shortened for messages. */
function showArgv(argv: readonly string[]): string {
  const text = argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg)));
  const joined = text.join(' ');
  return joined.length > 80 ? `${joined.slice(0, 77)}...` : joined;
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  const last = lines.filter((line) => line !== '').at(-1) ?? '';
  return last.length > 200 ? `${last.slice(0, 197)}...` : last;
}

/** JSON when stdout is JSON, else its trimmed text; nothing printed is no data. */
function parseStdout(stdout: string): unknown {
  const trimmed = stdout.trim();
  if (trimmed === '') return null;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return trimmed;
  }
}

/**
 * Runs a program (no shell) and takes what it prints as the value: JSON when stdout parses as
 * JSON, else the trimmed text. The program sees Ferry's environment plus `FERRY_SERVICE`,
 * `FERRY_ENVIRONMENT`, `FERRY_TRACK` and `FERRY_VERSION`, then `spec.env`.
 *
 * It runs in a process group of its own: on timeout, abort, or more than 1 MiB of stdout the
 * whole group is killed, and once the program exits whatever it left running is killed too, so
 * a check never outlives its measurement. A non-zero exit is a ProviderError with the code and
 * the last line of stderr: `command 'check.sh': exited with code 2: upstream unreachable`.
 *
 * @example
 * await new CommandProvider().measure(
 *   { kind: 'command', argv: ['node', 'check.js'], timeoutMs: 5000 }, ctx,
 * ) // { value: { p99: 120 } }
 */
export class CommandProvider implements MetricProvider<CommandSpec> {
  async measure(spec: CommandSpec, ctx: MeasureContext): Promise<ProviderResult> {
    ctx.signal.throwIfAborted();
    const [program] = spec.argv;
    if (program === undefined) throw new ProviderError('command: argv is empty');
    const where = `command '${showArgv(spec.argv)}'`;
    const { ending, stdout, stderr } = await run(spec, ctx);
    switch (ending.kind) {
      case 'aborted':
        throw ctx.signal.reason;
      case 'timedOut':
        throw new ProviderError(`${where}: timed out after ${formatDuration(spec.timeoutMs)}`);
      case 'tooMuchOutput':
        throw new ProviderError(`${where}: printed more than ${formatBytes(maxStdoutBytes)}`);
      case 'failedToStart': {
        const { error } = ending;
        const reason =
          error.code === 'ENOENT'
            ? `'${program}' not found${spec.cwd === undefined ? '' : ` (or no directory ${spec.cwd})`}`
            : error.message;
        throw new ProviderError(`${where}: cannot start: ${reason}`, { cause: error });
      }
      case 'exited': {
        if (ending.code === 0) return { value: parseStdout(stdout) };
        const how =
          ending.code === null ? `killed by ${ending.signal}` : `exited with code ${ending.code}`;
        const line = lastLine(stderr);
        throw new ProviderError(`${where}: ${how}${line === '' ? '' : `: ${line}`}`);
      }
    }
  }
}

function run(spec: CommandSpec, ctx: MeasureContext): Promise<Output & { ending: Ending }> {
  const [program = '', ...args] = spec.argv;
  const child = spawn(program, args, {
    cwd: spec.cwd,
    env: {
      ...process.env,
      FERRY_SERVICE: ctx.service,
      FERRY_ENVIRONMENT: ctx.environment,
      FERRY_TRACK: ctx.track,
      FERRY_VERSION: ctx.version,
      ...spec.env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = Buffer.alloc(0);
    let stopped: Ending | undefined;

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const stop = (why: Ending): void => {
      stopped ??= why;
      killGroup();
      // A process that left the group may still hold the pipes open: stop waiting for them.
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const timer = setTimeout(() => stop({ kind: 'timedOut' }), spec.timeoutMs);
    const onAbort = (): void => stop({ kind: 'aborted' });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const finish = (ending: Ending): void => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      const text = Buffer.concat(stdout).toString('utf8');
      resolve({ ending: stopped ?? ending, stdout: text, stderr: stderr.toString('utf8') });
    };

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdoutBytes) stop({ kind: 'tooMuchOutput' });
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > stderrTailBytes)
        stderr = stderr.subarray(stderr.length - stderrTailBytes);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish({ kind: 'failedToStart', error });
    });
    // The program is done: end whatever it started, so the pipes close and nothing lingers.
    child.once('exit', killGroup);
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) =>
      finish({ kind: 'exited', code, signal }),
    );
  });
}
