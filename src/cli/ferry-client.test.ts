import { afterEach, describe, expect, it } from 'vitest';
import { FerryClient } from './ferry-client.js';
import { startFakeApi, type FakeApi } from './test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const event = { id: 1, time: 't', actor: 'a', kind: 'k', subject: 's', payload: {} };

describe('FerryClient authentication', () => {
  it('sends the bearer token on calls, uploads and the event stream', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/events/stream' ? { events: [event], end: true } : { json: {} },
    );
    const client = new FerryClient(api.url, { token: 'ferry_tok-a_s', from: 'FERRY_TOKEN' });
    await client.deploy({ service: 'web', environment: 'prod', version: 'v1' });
    await client.putArtifact('web', 'v1', Buffer.from('gz'), null);
    const streamed = [];
    for await (const e of client.streamEvents({}, new AbortController().signal)) streamed.push(e);
    expect(streamed).toEqual([event]);
    expect(api.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
      'POST /api/v1/deployments Bearer ferry_tok-a_s',
      'PUT /api/v1/artifacts/web/v1 Bearer ferry_tok-a_s',
      'GET /api/v1/events/stream Bearer ferry_tok-a_s',
    ]);
  });

  it('sends no authorization header without a token', async () => {
    api = await startFakeApi(() => ({ json: { services: [] } }));
    await new FerryClient(api.url).services();
    expect(api.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('turns a 401 into what to do, naming where the token came from but not the token', async () => {
    api = await startFakeApi(() => ({
      status: 401,
      json: { error: { code: 'unauthorized', message: 'a valid bearer token is required' } },
    }));
    await expect(new FerryClient(api.url).services()).rejects.toMatchObject({
      code: 'unauthorized',
      message: `the server at ${api.url} requires an API token; run "ferry login" or set FERRY_TOKEN`,
    });
    const withToken = new FerryClient(api.url, { token: 'ferry_tok-a_s', from: '/c.json' });
    const error = await withToken.services().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unauthorized' });
    expect(String((error as Error).message)).toContain('refused the token from /c.json');
    expect(String((error as Error).message)).not.toContain('ferry_tok-a_s');
    await expect(
      withToken.streamEvents({}, new AbortController().signal).next(),
    ).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
