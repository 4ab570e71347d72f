import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnProgram } from './child-process.js';

/** One `server` line of the generated backend. */
export interface HaproxyServer {
  readonly name: string;
  readonly port: number;
  readonly weight: number;
}

/** The `haproxy -v` banner's first line, or `undefined` when HAProxy is not installed. */
export function haproxyVersion(): string | undefined {
  const result = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return result.stdout.split('\n')[0]?.trim();
}

/**
 * HAProxy as the reference reverse proxy, on one thread like Node's event loop (or `threads`, to
 * compare with as many router workers): round-robin by weight over `servers`, keep-alive on both
 * sides, no logging. It adds the four fields Ferry's router adds to every request (X-Forwarded-For,
 * -Proto and -Host, as Ferry's own HAProxy data plane does, and Via), so the upstream gets the
 * same request from both and the comparison is of equal work.
 */
export function haproxyConfig(
  port: number,
  servers: readonly HaproxyServer[],
  threads = 1,
): string {
  return [
    'global',
    `  nbthread ${threads}`,
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  option http-keep-alive',
    'frontend bench',
    `  bind 127.0.0.1:${port}`,
    '  option forwardfor',
    '  http-request set-header x-forwarded-proto http',
    '  http-request set-header x-forwarded-host %[req.hdr(host)]',
    '  http-request add-header via "1.1 haproxy"',
    '  default_backend app',
    'backend app',
    '  balance roundrobin',
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} weight ${s.weight}`),
    '',
  ].join('\n');
}

/**
 * Starts HAProxy in the foreground, quiet, with a generated config listening on `port`; the
 * config is checked first so that a mistake stops the bench with HAProxy's own message.
 */
export async function startHaproxy(
  port: number,
  servers: readonly HaproxyServer[],
  threads = 1,
): Promise<ChildProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(port, servers, threads));
  const check = spawnSync('haproxy', ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) {
    throw new Error(`haproxy rejected ${file}:\n${check.stdout}${check.stderr}`);
  }
  return spawnProgram('haproxy', ['-db', '-q', '-f', file]);
}
