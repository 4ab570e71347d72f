import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSwitchableApp } from '../../../test/support/switchable-app.js';
import { killOrphans } from '../../runtime/local/orphan-processes.js';
import { LocalRuntime } from '../../runtime/local/local-runtime.js';
import { signalGroup, waitForGroupExit } from '../../runtime/local/process-group.js';
import { EventLog, fastReadiness, makeTempDir } from '../../runtime/local/test-fixtures.js';
import { FakeInstanceRuntime } from './fake-instance-runtime.js';
import type { InstanceSpec } from './instance-runtime.js';
import {
  contractBackoff,
  describeInstanceRuntimeContract,
  type RuntimeHarness,
} from './instance-runtime.contract.js';

function spec(
  instanceId: string,
  artifact: Pick<InstanceSpec, 'artifactDigest' | 'artifactPath'>,
  env: Record<string, string> = {},
): InstanceSpec {
  return {
    instanceId,
    service: 'web',
    environment: 'dev',
    version: '1.0.0',
    ...artifact,
    command: ['node', 'server.js'],
    cwd: '.',
    env,
    readiness: fastReadiness,
    drainTimeoutMs: 10_000,
  };
}

const fakeArtifact = { artifactDigest: `sha256:${'f'.repeat(64)}`, artifactPath: '/fake/web.tgz' };

describeInstanceRuntimeContract('in-memory fake', async (): Promise<RuntimeHarness> => {
  let runtime = new FakeInstanceRuntime({ backoff: contractBackoff });
  return {
    runtime,
    spec: (id) => spec(id, fakeArtifact),
    failingStart(id) {
      runtime.failNextStart(new Error('cannot unpack the artifact'));
      return spec(id, fakeArtifact);
    },
    kill: async (status) =>
      runtime.crash(status.spec.instanceId, { exitCode: null, signal: 'SIGKILL' }),
    setReady: async (id, ready) =>
      ready ? runtime.makeReady(id) : runtime.makeUnready(id, 'GET /healthz → 503'),
    crashLoop: async (status) => runtime.crashLoop(status.spec.instanceId),
    async restart() {
      await runtime.detach();
      runtime = FakeInstanceRuntime.restartFrom(runtime);
      return runtime;
    },
    vanish: async (record) => runtime.host.kill(record),
    close: () => runtime.detach(),
  };
});

describeInstanceRuntimeContract('local runtime', async (): Promise<RuntimeHarness> => {
  const root = await makeTempDir('ferry-runtime-contract-');
  const app = await buildSwitchableApp(root);
  const dataDir = join(root, 'data');
  const processes = new EventLog();
  const runtimes: LocalRuntime[] = [];
  const newRuntime = (): LocalRuntime => {
    const runtime = new LocalRuntime({ dataDir, backoff: contractBackoff });
    runtimes.push(runtime);
    processes.listen(runtime);
    return runtime;
  };
  const kill = async (pid: number): Promise<void> => void process.kill(pid, 'SIGKILL');
  return {
    runtime: newRuntime(),
    spec: (id) => spec(id, app, { CONTROL_DIR: app.controlDir }),
    failingStart: (id) =>
      spec(id, {
        artifactDigest: `sha256:${'0'.repeat(64)}`,
        artifactPath: join(root, 'missing.tgz'),
      }),
    kill: (status) => kill(status.record.pid),
    setReady: (id, ready) => app.set(id, 'unready', !ready),
    async crashLoop(status) {
      await app.set(status.spec.instanceId, 'crash', true);
      await kill(status.record.pid);
    },
    async restart() {
      await runtimes.at(-1)?.detach();
      return newRuntime();
    },
    async vanish(record) {
      signalGroup(record.pgid, 'SIGKILL');
      await waitForGroupExit(record.pgid, 5_000);
    },
    async close() {
      for (const runtime of runtimes.splice(0)) await runtime.detach();
      await processes.cleanup();
      await killOrphans(dataDir);
      await rm(root, { recursive: true, force: true });
    },
  };
});
