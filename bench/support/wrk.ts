import { spawn, spawnSync } from 'node:child_process';

/** How one wrk run is shaped: `wrk -t<threads> -c<connections> -d<durationSeconds>s --latency`. */
export interface WrkOptions {
  readonly url: string;
  readonly threads: number;
  readonly connections: number;
  readonly durationSeconds: number;
}

/** What wrk's summary says about one run. */
export interface WrkResult {
  readonly rps: number;
  readonly requests: number;
  /** Median and 99th percentile latency, from `--latency`'s distribution; `NaN` without it. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** `Non-2xx or 3xx responses`. */
  readonly non2xx: number;
  /** The sum of `Socket errors: connect, read, write, timeout`. */
  readonly socketErrors: number;
}

/** wrk's version banner, or `undefined` when it is not installed (`apt-get install wrk`). */
export function wrkVersion(): string | undefined {
  // `wrk -v` prints its banner and usage, and exits 1.
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (result.error !== undefined) return undefined;
  const banner = `${result.stdout}${result.stderr}`.split('\n')[0]?.trim() ?? '';
  return banner.startsWith('wrk ') ? banner : undefined;
}

/**
 * Runs wrk against `options.url` and parses its summary; rejects when wrk fails or prints no
 * `Requests/sec:` line. wrk is native code on its own thread(s): unlike autocannon it does not
 * saturate before a fast proxy does.
 */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.durationSeconds}s`,
    '--latency',
    options.url,
  ];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} exited with ${String(code)}:\n${output}`);
  return parseWrkOutput(output);
}

/**
 * Reads wrk's text summary: `N requests in Xs`, `Requests/sec:`, the `--latency` distribution,
 * `Non-2xx or 3xx responses:` and `Socket errors: connect A, read B, write C, timeout D`.
 *
 * @example parseWrkOutput('  1000 requests in 1.00s, 200KB read\nRequests/sec:   999.50\n').rps
 * // 999.5
 */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const requests = /^\s*(\d+) requests in /m.exec(text);
  if (rps === null || requests === null) {
    throw new Error(`wrk printed no summary:\n${text}`);
  }
  const non2xx = /^\s*Non-2xx or 3xx responses:\s+(\d+)/m.exec(text);
  const socket = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/m.exec(
    text,
  );
  return {
    rps: Number(rps[1]),
    requests: Number(requests[1]),
    p50Ms: percentileMs(text, '50'),
    p99Ms: percentileMs(text, '99'),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors:
      socket === null ? 0 : socket.slice(1, 5).reduce((total, count) => total + Number(count), 0),
  };
}

const unitMs: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1_000, m: 60_000 };

/** A line of the `Latency Distribution` block, e.g. `     99%    2.31ms`, in ms. */
function percentileMs(text: string, percent: string): number {
  const line = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
  if (line === null) return Number.NaN;
  return Number(line[1]) * (unitMs[line[2] as string] as number);
}
