import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { waitForPhase } from '../support/rollout.js';

interface JudgeRun {
  name: string;
  phase: string;
  metrics: { name: string; measurements: { value: unknown; sampleSize: number | null }[] }[];
}

// The canary and a baseline of the stable version each take 20% of the traffic for 8 s, then
// the judge compares their latencies (Mann-Whitney U) and error rates.
const strategy = `      canary:
        abortScaleDownDelay: 1s
        baseline: { enabled: true }
        judge:
          metrics:
            - { name: latency, kind: latency, effectSizeTolerance: 0.1, minSampleSize: 100 }
            - { name: errors, kind: errorRate, effectSizeTolerance: 0.01, minSampleSize: 100 }
        steps:
          - setWeight: 20
          - judge: { duration: 8s }
`;

describe('the canary judge (canary versus baseline)', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  it('passes an identical version and fails one 30% slower, at the same sample sizes', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 2, strategy }));
    await server.start();
    await deployHello(server, { version: 'v1', latencyMs: 40 });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();

    const same = await startDeploy(
      server,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', latencyMs: 40 }),
    );
    expect((await waitForFinal(server, same.id, 90_000)).phase).toBe('Succeeded');
    const passed = await judgeOf(server, same.id);
    expect(passed.phase).toBe('Successful');

    const slow = await startDeploy(
      server,
      'hello',
      'prod',
      'v3',
      helloVersion({ version: 'v3', latencyMs: 52 }),
    );
    // During the judge step a baseline of v2 takes the canary's share beside the stable set.
    const judging = await waitForPhase(server, 'Progressing', 1, 60_000);
    expect(judging.traffic).toMatchObject({ canaryWeight: 20, baselineWeight: 20 });
    const view = await server.get<{ tracks: { track: string; version: string; total: number }[] }>(
      '/api/v1/rollouts/hello/prod',
    );
    expect(view.tracks.map((t) => [t.track, t.version])).toEqual([
      ['stable', 'v2'],
      ['canary', 'v3'],
      ['baseline', 'v2'],
    ]);
    expect(view.tracks.find((t) => t.track === 'baseline')?.total).toBe(1);
    const aborted = await waitForPhase(server, 'Aborted', undefined, 90_000);
    expect(aborted.deployment?.id).toBe(slow.id);
    expect(aborted.deployment?.reason).toMatch(/^analysis "judge-2" Failed: score 50 \(Fail/);
    expect(aborted.deployment?.reason).toMatch(/latency High/);
    const failed = await judgeOf(server, slow.id);
    expect(failed.phase).toBe('Failed');

    // Both verdicts rest on comparable evidence: hundreds of latencies on each side.
    for (const run of [passed, failed]) {
      const latency = run.metrics.find((m) => m.name === 'judge/latency');
      const size = latency?.measurements[0]?.sampleSize ?? 0;
      expect(size).toBeGreaterThan(200);
    }
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
  });
});

async function judgeOf(server: FerryServer, deploymentId: string): Promise<JudgeRun> {
  const { runs } = await server.get<{ runs: JudgeRun[] }>(
    `/api/v1/deployments/${deploymentId}/analysis`,
  );
  expect(runs.map((r) => r.name)).toEqual(['judge-2']);
  return runs[0]!;
}
