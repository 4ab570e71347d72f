import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProviders } from '../../analysis/create-providers.js';
import { context, harness, template, type Harness } from './analysis-test-kit.js';
import type { ProviderSpec } from './metric-provider.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/stats') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: { rate: 0.3, requests: 1200 } }));
    } else {
      response.writeHead(503).end('overloaded');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

function web(path: string): ProviderSpec {
  return {
    kind: 'web',
    url: `${base}${path}`,
    method: 'GET',
    headers: {},
    jsonPath: '$.errors.rate',
    timeoutMs: 2000,
  };
}

let h: Harness;
afterEach(async () => {
  await h.dispose();
});

describe('AnalysisRunner with the real web provider', () => {
  it('fails a run on a JSON value above max, and records an unavailable endpoint as Error', async () => {
    h = await harness(createProviders({ routeFigures: () => ({ tracks: {} }) }));
    const runId = await h.runner.start({
      deploymentId: 'dep-1',
      name: 'step-2',
      templates: [
        template('errors', { initialDelayMs: 1000 }, { provider: web('/stats') }),
        template('down', { consecutiveErrorLimit: 9 }, { provider: web('/down'), dryRun: true }),
      ],
      context,
    });
    // Real HTTP takes real time: wait for the calls rather than for a flush.
    await h.scheduler.advance(0, () => h.runner.settle());
    expect(await h.store.listMeasurements(runId)).toMatchObject([
      {
        metric: 'down/down',
        phase: 'Error',
        value: null,
        message: `GET ${base}/down: status 503, expected 2xx (body: overloaded)`,
      },
    ]);
    await h.scheduler.advance(1000, () => h.runner.settle());

    expect(h.finished).toEqual([
      [
        runId,
        'Failed',
        expect.stringMatching(/^errors\/errors: 1 failed.*0\.3 is above max 0\.01$/),
      ],
    ]);
    const measurements = await h.store.listMeasurements(runId);
    expect(measurements.find((m) => m.metric === 'errors/errors')).toMatchObject({
      phase: 'Failed',
      value: 0.3,
    });
  });
});
