import { CloudEvent, HTTP } from 'cloudevents';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { serverJs, tarGzOf } from '../../src/features/artifacts/test-tarballs.js';
import type { ListedGateResult } from '../../src/features/gate-results/gate-result-service.js';
import { FerryServer } from '../support/ferry-server.js';

/**
 * Gate evidence reaching a real `ferry server`: a CDEvents testsuiterun.finished in structured
 * CloudEvents HTTP mode, built with the CloudEvents SDK as a CI system would, then the CLI.
 */
describe('gate evidence on a real server', () => {
  let server: FerryServer;
  const ferry = async (...args: string[]) => {
    const capture = captureIo();
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };

  beforeAll(async () => {
    server = await FerryServer.create(helloConfig({ routePort: await freePort() }));
    await server.start();
    const upload = await request(`${server.url}/api/v1/artifacts/hello/v1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/gzip' },
      body: tarGzOf([serverJs]),
    });
    expect(upload.statusCode).toBe(201);
    await upload.body.dump();
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('turns a structured-mode testsuiterun.finished into evidence, read back by GET and the CLI', async () => {
    const event = new CloudEvent({
      type: 'dev.cdevents.testsuiterun.finished.0.3.0',
      source: '/ci/github/acme/hello',
      data: {
        context: {
          specversion: '0.5.0',
          id: 'c0ffee',
          source: '/ci/github/acme/hello',
          type: 'dev.cdevents.testsuiterun.finished.0.3.0',
          timestamp: '2030-01-01T00:00:00Z',
        },
        subject: {
          id: 'run-17',
          content: {
            outcome: 'failure',
            environment: { id: 'ci' },
            testSuite: { id: 'suite-1', name: 'Tests' },
          },
        },
        customData: {
          ferry: {
            artifactId: 'pkg:generic/hello@v1',
            values: { failures: 2 },
            url: 'https://ci.example.com/run/17',
          },
        },
      },
    });
    const { headers, body } = HTTP.structured(event);
    expect(headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const posted = await request(`${server.url}/api/v1/cdevents`, {
      method: 'POST',
      headers: headers as Record<string, string>,
      body: body as string,
    });
    const answer = (await posted.body.json()) as { gate: ListedGateResult };
    expect(posted.statusCode, JSON.stringify(answer)).toBe(201);

    const reported = await ferry(
      'gate',
      'report',
      'hello',
      'v1',
      '--name',
      'tests',
      '--status',
      'passed',
      '--value',
      'coverage=91.5',
    );
    expect(reported.code, reported.stderr).toBe(0);

    const { gates } = await server.get<{ gates: ListedGateResult[] }>(
      '/api/v1/artifacts/hello/v1/gates',
    );
    expect(gates.map((g) => [g.name, g.status, g.values, g.reporter, g.superseded])).toEqual([
      ['tests', 'passed', { coverage: 91.5 }, 'local', false],
      ['tests', 'failed', { failures: 2 }, 'cdevents:/ci/github/acme/hello', true],
    ]);
    expect(gates[1]).toMatchObject({
      ...answer.gate,
      superseded: true,
      url: 'https://ci.example.com/run/17',
    });

    const listed = await ferry('gate', 'list', 'hello', 'v1');
    expect(listed.stdout.split('\n').slice(1, 3)).toEqual([
      expect.stringMatching(/^tests +passed +coverage=91\.5 +\S+ +local +-$/),
      expect.stringMatching(
        /^tests +failed \(superseded\) +failures=2 +\S+ +cdevents:\/ci\/github\/acme\/hello +https:\/\/ci\.example\.com\/run\/17$/,
      ),
    ]);
  });
});
