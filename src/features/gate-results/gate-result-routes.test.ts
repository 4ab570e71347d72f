import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudEvent, HTTP } from 'cloudevents';
import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeFerry, type Ferry } from '../../compose.js';
import { kyselyStores } from '../../composition/kysely-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { ManualClock } from '../../shared/clock.js';
import { openSqlite } from '../../store/open-sqlite.js';
import { serverJs, tarGzOf } from '../artifacts/test-tarballs.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';

const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { prod: 127.0.0.1:18080 }
`,
  'ferry.yaml',
);

let dir: string;
let ferry: Ferry | undefined;
let base: string;
let clock: ManualClock;

/** The whole API on a fresh SQLite file, listening on a free port; web v1 uploaded. */
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-gate-routes-'));
  clock = new ManualClock(Date.parse('2025-06-01T12:00:00.000Z'));
  const db = await openSqlite(join(dir, 'ferry.db'));
  ferry = await composeFerry({
    config,
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
    parts: {
      stores: kyselyStores(db),
      runtime: new FakeInstanceRuntime(),
      router: new FakeTrafficRouter(),
    },
  });
  await ferry.start();
  await ferry.api.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ferry.api.server.address() as AddressInfo).port}`;
  const upload = await call('PUT', '/api/v1/artifacts/web/v1', tarGzOf([serverJs]), {
    'content-type': 'application/gzip',
  });
  expect(upload.status, JSON.stringify(upload.body)).toBe(201);
});

afterEach(async () => {
  await ferry?.close();
  ferry = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

async function call(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body);
  const res = await request(`${base}${path}`, {
    method,
    headers:
      body === undefined || raw ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: await res.body.json() };
}

const gates = '/api/v1/artifacts/web/v1/gates';

describe('gate results API', () => {
  it('attaches evidence to the artifact, by the caller, and lists it newest first', async () => {
    const failed = await call('POST', gates, { name: 'tests', status: 'failed' });
    expect(failed.status).toBe(201);
    expect(failed.body).toMatchObject({
      service: 'web',
      version: 'v1',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      name: 'tests',
      status: 'failed',
      values: {},
      url: null,
      reporter: 'local',
      reportedAt: '2025-06-01T12:00:00.000Z',
    });
    clock.advance(60_000);
    const passed = await call('POST', gates, {
      name: 'tests',
      status: 'passed',
      values: { coverage: 83.2, critical_vulnerabilities: 0 },
      url: 'https://ci.example.com/jobs/2',
    });
    expect(passed.status).toBe(201);

    const listed = await call('GET', gates);
    expect(listed.status).toBe(200);
    expect(listed.body.gates).toEqual([
      { ...passed.body, superseded: false },
      { ...failed.body, superseded: true },
    ]);
    const events = await call('GET', '/api/v1/events?kind=gate.');
    expect(events.body.events.map((e: { subject: string }) => e.subject)).toEqual([
      'artifact/web/v1',
      'artifact/web/v1',
    ]);
  });

  it("names a token's caller as the reporter", async () => {
    const created = await call('POST', '/api/v1/tokens', { name: 'ci' });
    const { token, secret } = created.body as { token: { id: string }; secret: string };
    const reported = await call(
      'POST',
      gates,
      { name: 'scan', status: 'passed' },
      { authorization: `Bearer ${secret}` },
    );
    expect(reported.body.reporter).toBe(`token:${token.id}`);
  });

  it('refuses evidence about an unknown artifact with 404, and lists none for it', async () => {
    const reported = await call('POST', '/api/v1/artifacts/web/v9/gates', {
      name: 'tests',
      status: 'passed',
    });
    expect(reported).toEqual({
      status: 404,
      body: {
        error: {
          code: 'not_found',
          message:
            'no artifact web v9: gate results attach to an artifact that was pushed or deployed before',
          kind: 'artifact',
          name: 'web@v9',
        },
      },
    });
    expect((await call('GET', '/api/v1/artifacts/web/v9/gates')).status).toBe(404);
  });

  it.each([
    [{ name: 'Unit Tests', status: 'passed' }, 'body.name'],
    [{ name: 'tests', status: 'ok' }, 'body.status'],
    [{ name: 'tests', status: 'passed', values: { coverage: '83' } }, 'body.values.coverage'],
    [{ name: 'tests', status: 'passed', values: { Coverage: 83 } }, 'body.values.Coverage'],
    [{ name: 'tests', status: 'passed', url: 'ftp://ci.example.com/1' }, 'body.url'],
    [
      {
        name: 'bench',
        status: 'passed',
        values: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`v${i}`, i])),
      },
      'body.values',
    ],
  ])('refuses %j with 400 naming %s', async (body, path) => {
    const answer = await call('POST', gates, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.details[0].path).toBe(path);
    expect(answer.body.error.message).toMatch(new RegExp(`^invalid ${path.replace('.', '\\.')}`));
    expect((await call('GET', gates)).body.gates).toEqual([]);
  });
});

describe('OpenAPI', () => {
  it('documents the gate routes and their shapes from the schemas', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const gatesPath = doc.paths['/api/v1/artifacts/{service}/{version}/gates'];
    expect(Object.keys(gatesPath).sort()).toEqual(['get', 'post']);
    expect(gatesPath.post.requestBody.content['application/json'].schema.required).toEqual([
      'name',
      'status',
    ]);
    expect(Object.keys(doc.paths['/api/v1/cdevents'].post.responses)).toEqual(
      expect.arrayContaining(['201', '202', '400', '422']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['GateResult', 'ListedGateResult']),
    );
  });
});

/** A testsuiterun.finished CDEvent about `customData`'s artifact. */
function testSuiteRunFinished(
  content: Record<string, unknown>,
  customData: unknown = { ferry: { service: 'web', version: 'v1' } },
  type = 'dev.cdevents.testsuiterun.finished.0.3.0',
): CloudEvent<Record<string, unknown>> {
  return new CloudEvent({
    type,
    source: '/ci/pipelines/web',
    data: {
      context: {
        specversion: '0.5.0',
        id: 'run-1',
        source: '/ci/pipelines/web',
        type,
        timestamp: '2025-06-01T12:00:00Z',
      },
      subject: {
        id: 'suite-run-1',
        source: '/ci/pipelines/web',
        content: { environment: { id: 'ci' }, ...content },
      },
      customData,
    },
  });
}

async function post(message: { headers: Record<string, unknown>; body: unknown }) {
  return call('POST', '/api/v1/cdevents', message.body, message.headers as Record<string, string>);
}

describe('CDEvents intake', () => {
  it('takes a testsuiterun.finished in structured mode as evidence', async () => {
    const event = testSuiteRunFinished({
      outcome: 'success',
      testSuite: { id: 'suite-7', name: 'Unit Tests' },
    });
    const answer = await post(HTTP.structured(event));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.gate).toMatchObject({
      name: 'unit-tests',
      status: 'passed',
      reporter: 'cdevents:/ci/pipelines/web',
    });
    expect((await call('GET', gates)).body.gates).toEqual([
      { ...answer.body.gate, superseded: false },
    ]);
  });

  it('takes one in binary mode, with an outcome of an older spec version and an artifact purl', async () => {
    const event = testSuiteRunFinished(
      { outcome: 'fail', testSuite: { id: 'Smoke' } },
      { ferry: { artifactId: 'pkg:generic/web@v1?checksum=sha256:00', values: { failures: 3 } } },
      'dev.cdevents.testsuiterun.finished.0.1.0',
    );
    const answer = await post(HTTP.binary(event));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.gate).toMatchObject({
      name: 'smoke',
      status: 'failed',
      values: { failures: 3 },
    });
  });

  it.each([
    ['error', 'failed'],
    ['cancel', 'failed'],
    ['failure', 'failed'],
    ['pass', 'passed'],
  ])('maps outcome %s to %s, named tests without a suite', async (outcome, status) => {
    const answer = await post(HTTP.structured(testSuiteRunFinished({ outcome })));
    expect(answer.body.gate).toMatchObject({ name: 'tests', status });
  });

  it('ignores a CDEvent Ferry does not use with 202', async () => {
    const event = new CloudEvent({
      type: 'dev.cdevents.artifact.published.0.2.0',
      source: '/ci',
      data: { subject: { id: 'pkg:generic/web@v1', content: {} } },
    });
    const answer = await post(HTTP.structured(event));
    expect(answer).toEqual({
      status: 202,
      body: {
        accepted: 'ignored',
        type: 'dev.cdevents.artifact.published.0.2.0',
        reason: 'Ferry does not use dev.cdevents.artifact.published.0.2.0 events',
      },
    });
  });

  it.each([
    [
      'an unknown type',
      new CloudEvent({ type: 'com.example.build.done', source: '/ci', data: {} }),
      'unknown_type',
    ],
    ['no artifact', testSuiteRunFinished({ outcome: 'success' }, { other: true }), 'no_artifact'],
    ['no outcome', testSuiteRunFinished({ outcome: 'maybe' }), 'no_outcome'],
  ])('refuses %s with 422 and its reason', async (_what, event, reason) => {
    const answer = await post(HTTP.structured(event));
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'unprocessable_event', reason });
    expect(answer.body.error.message).toEqual(expect.any(String));
  });

  it('refuses what is not a CloudEvent with 400', async () => {
    const answer = await call('POST', '/api/v1/cdevents', { outcome: 'success' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.message).toMatch(/^not a valid CloudEvent: /);
    const noSource = await call(
      'POST',
      '/api/v1/cdevents',
      JSON.stringify({ specversion: '1.0', id: '1', type: 'dev.cdevents.x.y.0.1.0' }),
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(noSource.status).toBe(400);
    const broken = await call('POST', '/api/v1/cdevents', '{"specversion": "1.0",', {
      'content-type': 'application/cloudevents+json; charset=utf-8',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_request');
  });

  it('answers 404 for evidence about an unknown artifact', async () => {
    const event = testSuiteRunFinished(
      { outcome: 'success' },
      { ferry: { service: 'web', version: 'v9' } },
    );
    const answer = await post(HTTP.structured(event));
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });
});
