import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.js';
import { ManualClock } from '../../shared/clock.js';
import { serviceSchema } from '../../config/service-schema.js';
import { InMemoryDeploymentStore } from '../deployments/in-memory-deployment-store.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import { EventLog } from '../events/event-log.js';
import { InMemoryEventStore } from '../events/in-memory-event-store.js';
import type { GateResult } from '../gate-results/domain/gate-result.js';
import type { GateResultStore } from '../gate-results/gate-result-store.js';
import { ArtifactCatalog } from './artifact-catalog.js';
import { ArtifactRetention } from './artifact-retention.js';
import { ArtifactService } from './artifact-service.js';
import { BlobStore } from './blob-store.js';
import { InMemoryArtifactStore } from './in-memory-artifact-store.js';
import { tarGzOf } from './test-tarballs.js';

const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
artifacts: { retention: { keep: 1 } }
services:
  web:
    runtime: { local: { command: node server.js } }
    routes: { staging: 127.0.0.1:9001, prod: 127.0.0.1:9002 }
`,
  'ferry.yaml',
);

/** The feature on in-memory stores and real blobs in a fresh folder. */
function feature(gateResults?: GateResultStore) {
  const clock = new ManualClock(Date.parse('2025-06-01T12:00:00.000Z'));
  const events = new InMemoryEventStore();
  const log = new EventLog(events, clock);
  const store = new InMemoryArtifactStore();
  const deployments = new InMemoryDeploymentStore(events);
  const blobs = new BlobStore(mkdtempSync(join(tmpdir(), 'ferry-artifacts-')));
  const artifacts = new ArtifactService(store, blobs, log, clock, config);
  const catalog = new ArtifactCatalog({
    artifacts,
    deployments,
    config: () => config,
    ...(gateResults ? { gateResults } : {}),
  });
  const retention = new ArtifactRetention({
    store,
    blobs,
    deployments,
    events: log,
    config: () => config,
  });
  const push = async (version: string, body = version) => {
    clock.advance(1000);
    const bytes = tarGzOf([{ path: 'server.js', body }]);
    return (
      await artifacts.ingest({ service: 'web', version, sourceCommit: null, bytes, actor: 'ci' })
    ).artifact;
  };
  const deployed = async (
    id: string,
    environment: string,
    digest: string,
    phase: Deployment['phase'],
  ) => {
    const at = new Date(clock.now()).toISOString();
    const spec = {
      name: 'web',
      ...serviceSchema.parse({ runtime: { local: { command: ['x'] } } }),
    };
    await deployments.commit({
      insert: {
        id,
        service: 'web',
        environment,
        kind: 'deploy',
        artifactDigest: digest,
        version: id,
        phase,
        reason: null,
        previousId: null,
        spec,
        actor: 'ci',
        createdAt: at,
        updatedAt: at,
        lastProgressAt: at,
        finishedAt: null,
        rollout: null,
      },
      events: [],
    });
  };
  return { push, deployed, catalog, retention, blobs, events };
}

describe('artifact catalog and retention', () => {
  it('shows where an artifact ran, live or not, and its gates when the server keeps them', async () => {
    const gate: GateResult = {
      id: 'g1',
      service: 'web',
      version: 'v1',
      digest: '',
      name: 'tests',
      status: 'passed',
      values: {},
      url: null,
      reporter: 'ci',
      reportedAt: '2025-06-01T12:00:00.000Z',
    };
    const gates: GateResultStore = {
      append: async () => {},
      listFor: async (_service, digest) => [{ ...gate, digest }],
    };
    const withGates = feature(gates);
    const v1 = await withGates.push('v1');
    await withGates.deployed('d1', 'staging', v1.digest, 'Succeeded');
    await withGates.deployed('d2', 'prod', v1.digest, 'Failed');
    const view = await withGates.catalog.show('web', 'v1');
    expect(view.liveIn).toEqual(['staging']);
    expect(view.environments.map((e) => [e.environment, e.live, e.latest.phase])).toEqual([
      ['staging', true, 'Succeeded'],
      ['prod', false, 'Failed'],
    ]);
    expect(view.deployments.map((d) => d.id)).toEqual(['d2', 'd1']);
    expect(view.gates).toEqual([{ ...gate, digest: v1.digest }]);

    const without = feature();
    await without.push('v1');
    expect((await without.catalog.list('web'))[0]).toMatchObject({ gates: null, liveIn: [] });
  });

  it('keeps a blob another version shares, and removes one nobody keeps', async () => {
    const { push, deployed, retention, blobs, events } = feature();
    const shared = await push('v1', 'same');
    const alone = await push('v2', 'alone');
    await push('v3', 'same'); // the same bytes as v1: one blob
    const newest = await push('v4');
    await deployed('d1', 'prod', newest.digest, 'Succeeded');
    const dry = await retention.collect({ dryRun: true, actor: 'user:ana' });
    expect(dry.artifacts.map((a) => [a.version, a.action, a.blobRemoved])).toEqual([
      ['v4', 'keep', false],
      ['v3', 'delete', true],
      ['v2', 'delete', true],
      ['v1', 'delete', true],
    ]);
    expect(existsSync(blobs.path(alone.digest))).toBe(true);

    await deployed('d2', 'staging', shared.digest, 'Progressing'); // v1's digest is rolling out
    const run = await retention.collect({ service: 'web', dryRun: false, actor: 'user:ana' });
    expect(run.artifacts.map((a) => [a.version, a.action, a.reasons.map((r) => r.kind)])).toEqual([
      ['v4', 'keep', ['newest', 'live']], // prod is last: nothing promotes from it
      ['v3', 'keep', ['activeRollout']],
      ['v2', 'delete', []],
      ['v1', 'keep', ['activeRollout']],
    ]);
    expect(existsSync(blobs.path(alone.digest))).toBe(false);
    expect(existsSync(blobs.path(shared.digest))).toBe(true);
    expect(readdirSync(join(blobs.path(shared.digest), '..'))).toHaveLength(2);
    const deleted = await events.list({ kindPrefix: 'artifact.deleted', limit: 10 });
    expect(deleted.map((e) => [e.subject, e.actor, e.payload['blobRemoved']])).toEqual([
      ['artifact/web/v2', 'user:ana', true],
    ]);
    await expect(retention.collect({ service: 'api', dryRun: true, actor: 'x' })).rejects.toThrow(
      'service "api" not found',
    );
  });
});
