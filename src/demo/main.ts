import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment } from '../cli/api-types.js';
import { FerryClient } from '../cli/ferry-client.js';
import { main as ferry } from '../cli/main.js';
import { processIo } from '../cli/cli-io.js';
import { killOrphans } from '../runtime/local/orphan-processes.js';
import { startServer } from '../server/start-server.js';
import { stopRouter } from '../server/stop-router.js';
import { ConstantLoad, type VersionTally } from './constant-load.js';
import { freePort } from './free-port.js';
import { helloConfig } from './hello-config.js';
import { helloVersion, type HelloKnobs } from './hello-version.js';

const rps = 200;
/** v3 fails one request in five: far above the analysis' 5 % limit. */
const v3ErrorRate = 0.2;

// Every rollout is a canary: 20 % of the traffic for 5 s while the router's error rate of the
// canary is measured every second; two measurements above 5 % abort it. Healthy v2 goes through
// in seconds, v3 is caught after about two.
const analysis = `    analysis:
      errors:
        interval: 1s
        failureLimit: 1
        inconclusiveLimit: 10
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 3
`;
const canary = `      canary:
        abortScaleDownDelay: 2s
        analysis: { templates: [errors], startingStep: 1 }
        steps:
          - setWeight: 20
          - pause: { duration: 5s }
`;

/**
 * `npm start`: a Ferry server on an embedded SQLite store deploys examples/hello v1 with three
 * replicas, rolls to v2 as a canary under constant load, then tries a v3 that fails 20 % of its
 * requests: analysis catches it and sends all traffic back to v2 by itself. Prints what the users
 * saw; exits 1 unless v2 went live without a failed request and v3 was aborted.
 */
async function demo(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
  chmodSync(work, 0o711); // instances of a root server run as nobody
  const dataDir = join(work, 'data');
  const [apiPort, routePort] = [await freePort(), await freePort()];
  const configPath = join(work, 'ferry.yaml');
  writeFileSync(
    configPath,
    helloConfig({
      routePort,
      replicas: 3,
      drainTimeout: '10s',
      progressDeadline: '1m',
      strategy: canary,
      service: analysis,
    }),
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
    if ((await cli(...deployArgs({ version: 'v1' }))) !== 0) return 1;

    say(`\n2. roll to v2 under ${rps} requests/s: a canary at 20 %, analysed, then all`);
    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, rps).start();
    await sleep(1000);
    const started = Date.now();
    const deployed = await cli(...deployArgs({ version: 'v2' }));
    const tookMs = Date.now() - started;
    await sleep(1000);
    const result = await load.stop();

    say(`\n3. try v3, which fails ${v3ErrorRate * 100} % of its requests, the same way`);
    const bad = await badCanary(new FerryClient(server.url), cli, routePort);
    await cli('history', 'hello', '--env', 'prod');

    const failed = result.non2xx + result.errors.length;
    say('\nSummary');
    say(
      `  canary v1 -> v2: ${deployed === 0 ? 'succeeded' : 'FAILED'} in ${(tookMs / 1000).toFixed(1)}s`,
    );
    say(
      `  requests served: ${result.sent - failed} (${Object.entries(result.versions)
        .map(([v, n]) => `${v}: ${n}`)
        .join(', ')})`,
    );
    say(`  requests failed: ${failed}${failed > 0 ? ` (${whyFailed(result)})` : ''}`);
    const caught = bad.deployment?.phase === 'Aborted';
    say(
      caught
        ? `  canary v2 -> v3: caught and rolled back by itself (Aborted: ${bad.deployment?.reason})`
        : `  canary v2 -> v3: NOT aborted (${bad.deployment?.phase ?? 'no deployment'}: ${bad.deployment?.reason ?? 'no reason'})`,
    );
    if (bad.tally) {
      const { firstAt, lastAt, responses, failed: v3Failed } = bad.tally;
      const abortedAfter = Number.isFinite(bad.abortedAt)
        ? `; aborted ${((bad.abortedAt - firstAt) / 1000).toFixed(1)}s after its first response`
        : '';
      say(
        `  v3 took traffic for ${((lastAt - firstAt) / 1000).toFixed(1)}s (first to last v3 response)${abortedAfter}`,
      );
      say(
        `  requests failed during the bad canary: ${v3Failed} of ${responses} answered by v3 ` +
          `(${((100 * v3Failed) / bad.sent).toFixed(2)} % of the ${bad.sent} sent during step 3)`,
      );
    }
    return deployed === 0 && failed === 0 && caught ? 0 : 1;
  } finally {
    await server.close();
    // The router and the instances outlive a server by design; the demo cleans up after itself.
    await stopRouter(dataDir);
    await killOrphans(dataDir);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Deploys v3 under load and follows it until it ends; traffic is watched for 2 s more, so that
 * the tally shows the last response v3 ever answered.
 */
async function badCanary(
  client: FerryClient,
  cli: (...args: string[]) => Promise<number>,
  routePort: number,
): Promise<{
  readonly deployment: Deployment | undefined;
  readonly tally: VersionTally | undefined;
  readonly abortedAt: number;
  readonly sent: number;
}> {
  const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, rps).start();
  await sleep(1000);
  await cli(...deployArgs({ version: 'v3', errorRate: v3ErrorRate }));
  const [deployment] = await client.deployments({
    service: 'hello',
    environment: 'prod',
    limit: 1,
  });
  await sleep(2000);
  const result = await load.stop();
  const v3 = deployment?.version === 'v3' ? deployment : undefined;
  const subject = `deployment/${v3?.id ?? 'none'}`;
  const [aborted] = await client.events({ subject, kind: 'deployment.aborted' });
  return {
    deployment: v3,
    tally: result.byVersion['v3'],
    abortedAt: Date.parse(aborted?.time ?? ''),
    sent: result.sent,
  };
}

function deployArgs(knobs: HelloKnobs): string[] {
  const dir = helloVersion(knobs);
  return ['deploy', 'hello', '--env', 'prod', '--dir', dir, '--version', knobs.version];
}

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

process.exitCode = await demo();

/** What the failed requests of a load run met, most frequent first: `read ECONNRESET ×3, 503 ×1`. */
function whyFailed(result: {
  readonly non2xx: number;
  readonly errors: readonly string[];
}): string {
  const counts = new Map<string, number>();
  for (const error of result.errors) counts.set(error, (counts.get(error) ?? 0) + 1);
  if (result.non2xx > 0) counts.set('non-2xx answer', result.non2xx);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${what} ×${n}`)
    .join(', ');
}
