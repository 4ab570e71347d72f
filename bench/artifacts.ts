import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryClient } from '../src/cli/ferry-client.js';
import type { Benchmark, BenchmarkResult } from './support/benchmark.js';
import { freePort } from './support/network.js';
import { ServerProcess } from './support/server-process.js';
import { envNumber, median } from './support/settings.js';

const megabyte = 1_000_000;

/**
 * `artifacts`: how fast `ferry server` takes in a large artifact, against `sha256sum` of the same
 * file in the same run. The bundle is BENCH_ARTIFACT_MB (default 200) MB of random bytes in four
 * files, as a `.tar.gz` (incompressible, so it stays that size). Each round times `sha256sum`
 * of the file (warm page cache) and a push of it to a real `ferry server` process (upload,
 * gunzip and tar checks, digest, store), each under a new version label so every push is a full
 * ingest. Figures are medians over BENCH_ROUNDS (default 3) rounds; `push_vs_sha256sum` is the
 * ratio of the two throughputs (target >= 0.5). Also the server's peak resident memory.
 */
export const artifactsBenchmark: Benchmark = {
  name: 'artifacts',
  description: 'push of a 200 MB .tar.gz to ferry server vs sha256sum of the same file',
  async run(): Promise<BenchmarkResult> {
    const sizeMb = envNumber('BENCH_ARTIFACT_MB', 200);
    const rounds = envNumber('BENCH_ROUNDS', 3);
    const work = mkdtempSync(join(tmpdir(), 'ferry-bench-artifacts-'));
    const bundle = join(work, 'bundle.tar.gz');
    const configPath = join(work, 'ferry.yaml');
    try {
      buildBundle(work, bundle, sizeMb);
      const bytes = statSync(bundle).size;
      writeFileSync(configPath, benchConfig(await freePort(), bytes));
      const server = new ServerProcess({
        configPath,
        dataDir: join(work, 'data'),
        port: await freePort(),
      });
      await server.start();
      try {
        const client = new FerryClient(server.url);
        sha256sum(bundle); // warms the page cache for both
        const hashSeconds: number[] = [];
        const pushSeconds: number[] = [];
        for (let round = 1; round <= rounds; round++) {
          hashSeconds.push(timed(() => sha256sum(bundle)));
          const started = process.hrtime.bigint();
          const { created } = await client.pushArtifact(
            'bundle',
            `v${round}`,
            { stream: createReadStream(bundle, { highWaterMark: 1024 * 1024 }), sizeBytes: bytes },
            { sourceCommit: null },
          );
          pushSeconds.push(Number(process.hrtime.bigint() - started) / 1e9);
          if (!created) throw new Error(`push v${round} was not stored as a new artifact`);
        }
        const sha = bytes / megabyte / median(hashSeconds);
        const push = bytes / megabyte / median(pushSeconds);
        return {
          figures: {
            bundle_mb: { value: bytes / megabyte, unit: 'MB' },
            sha256sum_mb_s: { value: sha, unit: 'MB/s (median, baseline)' },
            push_mb_s: { value: push, unit: 'MB/s (median)' },
            push_vs_sha256sum: { value: push / sha, unit: 'ratio (target >= 0.5)' },
            server_peak_rss_mb: { value: peakRssMb(server.pid), unit: 'MB' },
          },
          config: {
            sizeMb,
            rounds,
            files: 4,
            gzip: 'level 1',
            sha256sum: sha256sumVersion(),
            sha256sumSeconds: hashSeconds.map(round3),
            pushSeconds: pushSeconds.map(round3),
          },
        };
      } finally {
        await server.kill('SIGTERM');
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/** Four files of random bytes, packed with tar and gzip -1: a `.tar.gz` about `sizeMb` MB. */
function buildBundle(work: string, bundle: string, sizeMb: number): void {
  const dir = join(work, 'bundle');
  mkdirSync(dir);
  for (let i = 0; i < 4; i++) {
    writeFileSync(join(dir, `part-${i}.bin`), randomBytes((sizeMb * megabyte) / 4));
  }
  writeFileSync(join(dir, 'server.js'), 'console.log("bench")\n');
  execFileSync('sh', ['-c', `tar -C "${dir}" -cf - . | gzip -1 > "${bundle}"`]);
  rmSync(dir, { recursive: true });
}

function benchConfig(routePort: number, bytes: number): string {
  // The defaults allow 512 MiB already; a bigger BENCH_ARTIFACT_MB needs more.
  const limit = Math.max(bytes * 2, 512 * 1024 * 1024);
  return `apiVersion: ferry.dev/v1
environments:
  - name: prod
artifacts:
  maxUploadSize: ${limit}
  maxUnpackedSize: ${limit * 2}
services:
  bundle:
    runtime:
      local:
        command: [node, server.js]
    routes:
      prod: 127.0.0.1:${routePort}
`;
}

function sha256sum(file: string): void {
  execFileSync('sha256sum', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function sha256sumVersion(): string {
  return execFileSync('sha256sum', ['--version']).toString().split('\n')[0] ?? 'unknown';
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function timed(work: () => void): number {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** VmHWM of the process: its peak resident set, in MB. */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kib * 1024) / megabyte);
}
