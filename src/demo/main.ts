import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { main as ferry } from '../cli/main.js';
import { processIo } from '../cli/cli-io.js';
import { killOrphans } from '../runtime/local/orphan-processes.js';
import { startServer } from '../server/start-server.js';
import { ConstantLoad } from './constant-load.js';
import { freePort } from './free-port.js';
import { helloConfig } from './hello-config.js';
import { helloVersion } from './hello-version.js';

const rps = 200;

/**
 * `npm start`: a Ferry server on an embedded SQLite store deploys examples/hello v1 with three
 * replicas, then rolls to v2 under constant load and prints what the users saw.
 */
async function demo(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
  const dataDir = join(work, 'data');
  const [apiPort, routePort] = [await freePort(), await freePort()];
  const configPath = join(work, 'ferry.yaml');
  writeFileSync(
    configPath,
    helloConfig({ routePort, replicas: 3, drainTimeout: '10s', progressDeadline: '1m' }),
  );
  say(`Ferry demo in ${work}`);

  const server = await startServer({
    configPath,
    dataDir,
    listen: { host: '127.0.0.1', port: apiPort },
    logLevel: 'warn',
  });
  const cli = (...args: string[]) => ferry([...args, '--server', server.url], processIo());
  try {
    say(`server on ${server.url}, hello served on http://127.0.0.1:${routePort}/`);
    say('\n1. deploy hello v1 (3 replicas)');
    if ((await cli(...deployArgs('v1'))) !== 0) return 1;

    say(`\n2. roll to v2 under ${rps} requests/s`);
    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, rps).start();
    await sleep(1000);
    const started = Date.now();
    const deployed = await cli(...deployArgs('v2'));
    const tookMs = Date.now() - started;
    await sleep(1000);
    const result = await load.stop();
    await cli('history', 'hello', '--env', 'prod');

    const failed = result.non2xx + result.errors.length;
    say('\nSummary');
    say(
      `  rolling update v1 -> v2: ${deployed === 0 ? 'succeeded' : 'FAILED'} in ${(tookMs / 1000).toFixed(1)}s`,
    );
    say(
      `  requests served: ${result.sent - failed} (${Object.entries(result.versions)
        .map(([v, n]) => `${v}: ${n}`)
        .join(', ')})`,
    );
    say(`  requests failed: ${failed}`);
    return deployed === 0 && failed === 0 ? 0 : 1;
  } finally {
    await server.close();
    // Instances outlive a server by design; the demo cleans up after itself.
    killOrphans(dataDir, new Set());
    rmSync(work, { recursive: true, force: true });
  }
}

function deployArgs(version: string): string[] {
  return [
    'deploy',
    'hello',
    '--env',
    'prod',
    '--dir',
    helloVersion({ version }),
    '--version',
    version,
  ];
}

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

process.exitCode = await demo();
