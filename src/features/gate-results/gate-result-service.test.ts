import { beforeEach, describe, expect, it } from 'vitest';
import { FerryError, NotFoundError } from '../../errors/ferry-error.js';
import { ManualClock } from '../../shared/clock.js';
import type { Artifact } from '../artifacts/artifact.js';
import { InMemoryArtifactStore } from '../artifacts/in-memory-artifact-store.js';
import { EventLog } from '../events/event-log.js';
import { InMemoryEventStore } from '../events/in-memory-event-store.js';
import { GateResultService } from './gate-result-service.js';
import { InMemoryGateResultStore } from './in-memory-gate-result-store.js';

const digest = `sha256:${'ab'.repeat(32)}`;
const v1: Artifact = {
  service: 'web',
  version: 'v1',
  digest,
  sourceCommit: null,
  sizeBytes: 10,
  createdAt: '2025-06-01T11:00:00.000Z',
};

let clock: ManualClock;
let events: EventLog;
let gates: GateResultService;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2025-06-01T12:00:00.000Z'));
  const artifacts = new InMemoryArtifactStore();
  await artifacts.insert(v1);
  // The same bytes under a second label: evidence is about the bytes, so both see it.
  await artifacts.insert({ ...v1, version: 'v1-again' });
  events = new EventLog(new InMemoryEventStore(), clock);
  let n = 0;
  gates = new GateResultService(
    new InMemoryGateResultStore(),
    async (service, version) => {
      const found = await artifacts.get(service, version);
      if (!found) throw new NotFoundError('artifact', `${service}@${version}`);
      return found;
    },
    events,
    clock,
    (prefix) => `${prefix}-${++n}`,
  );
});

const report = { service: 'web', version: 'v1', reporter: 'token:ci' } as const;

async function errorOf(promise: Promise<unknown>): Promise<FerryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FerryError))
    throw new Error(`expected a FerryError, got ${String(error)}`);
  return error;
}

describe('GateResultService', () => {
  it("attaches a report to the artifact's digest with the reporter and time, and logs it", async () => {
    const result = await gates.report({
      ...report,
      name: 'tests',
      status: 'passed',
      values: { coverage: 83.2 },
      url: 'https://ci.example.com/jobs/1',
    });
    expect(result).toEqual({
      id: 'gate-1',
      service: 'web',
      version: 'v1',
      digest,
      name: 'tests',
      status: 'passed',
      values: { coverage: 83.2 },
      url: 'https://ci.example.com/jobs/1',
      reporter: 'token:ci',
      reportedAt: '2025-06-01T12:00:00.000Z',
    });
    const [event] = await events.list({ kindPrefix: 'gate.' });
    expect(event).toMatchObject({
      kind: 'gate.reported',
      actor: 'token:ci',
      subject: 'artifact/web/v1',
      payload: result,
    });
  });

  it('lists every report newest first; older reports of a gate are superseded, not gone', async () => {
    await gates.report({ ...report, name: 'tests', status: 'failed' });
    clock.advance(60_000);
    await gates.report({ ...report, name: 'scan', status: 'passed', values: { critical: 0 } });
    clock.advance(60_000);
    await gates.report({ ...report, version: 'v1-again', name: 'tests', status: 'passed' });
    const listed = await gates.list('web', 'v1');
    expect(listed.map((r) => [r.name, r.status, r.version, r.superseded])).toEqual([
      ['tests', 'passed', 'v1-again', false],
      ['scan', 'passed', 'v1', false],
      ['tests', 'failed', 'v1', true],
    ]);
    expect(await gates.evidence('web', digest)).toHaveLength(3);
  });

  it('refuses a report about an artifact that does not exist, naming it', async () => {
    const error = await errorOf(
      gates.report({ ...report, version: 'v9', name: 't', status: 'passed' }),
    );
    expect([error.status, error.message]).toEqual([
      404,
      'no artifact web v9: gate results attach to an artifact that was pushed or deployed before',
    ]);
    expect((await errorOf(gates.list('api', 'v1'))).code).toBe('not_found');
    expect(await events.list({})).toEqual([]);
  });

  it('refuses a bad report with every problem at once, and stores nothing', async () => {
    const error = await errorOf(
      gates.report({
        ...report,
        name: 'Unit Tests',
        status: 'ok',
        values: { coverage: Number.NaN, 'Bad Key': 1, fine: 2, infinite: Number.POSITIVE_INFINITY },
        url: 'ftp://ci.example.com/x',
      }),
    );
    expect(error.status).toBe(400);
    expect(error.details.map((d) => d.path)).toEqual([
      'name',
      'status',
      'values.coverage',
      'values.Bad Key',
      'values.infinite',
      'url',
    ]);
    expect(error.message).toBe(
      'invalid gate report: name: "Unit Tests" is not a gate name: lowercase letters, digits, _, . and -, starting with a letter',
    );
    expect(await gates.list('web', 'v1')).toEqual([]);
  });

  it('accepts 50 values and refuses 51', async () => {
    const values = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, i]));
    await gates.report({ ...report, name: 'bench', status: 'passed', values: values(50) });
    const error = await errorOf(
      gates.report({ ...report, name: 'bench', status: 'passed', values: values(51) }),
    );
    expect(error.details).toEqual([
      { path: 'values', message: '51 values; a report carries at most 50' },
    ]);
  });

  it('accepts http and https URLs only', async () => {
    await gates.report({ ...report, name: 't', status: 'passed', url: 'http://ci.local:8080/1' });
    for (const url of ['javascript:alert(1)', 'not a url', 'file:///etc/passwd']) {
      const error = await errorOf(gates.report({ ...report, name: 't', status: 'passed', url }));
      expect(error.details.map((d) => d.path)).toEqual(['url']);
    }
  });
});
