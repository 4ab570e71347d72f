import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli-io.js';
import { main } from '../../main.js';
import { eventFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const first = eventFixture();
const second = eventFixture({
  id: 2,
  kind: 'instance.ready',
  subject: 'instance/web-prod-1',
  payload: { port: 40001, ready: true, probe: { path: '/ready' } },
});

/** A capturing io whose signal fires once stdout holds `lines` lines: Ctrl-C, for tests. */
function stopAfterLines(lines: number) {
  const controller = new AbortController();
  const out = captureIo({ signal: controller.signal });
  const io: CliIo = {
    ...out.io,
    stdout: {
      write: (text: string) => {
        out.io.stdout.write(text);
        if (out.stdout().split('\n').length > lines) controller.abort();
      },
    },
  };
  return { ...out, io };
}

describe('ferry events', () => {
  it('prints one line per event: time kind subject key=value...', async () => {
    api = await startFakeApi(() => ({ json: { events: [first, second] } }));
    const out = captureIo();
    const args = [
      'events',
      '--subject',
      'deployment/',
      '--after',
      '0',
      '--limit',
      '10',
      '--server',
      api.url,
    ];
    expect(await main(args, out.io)).toBe(0);
    expect(Object.fromEntries(api.requests[0]?.query ?? [])).toEqual({
      subject: 'deployment/',
      after: '0',
      limit: '10',
    });
    expect(out.stdout()).toBe(
      [
        '2025-01-02T03:04:05.000Z deployment.created deployment/dep-1 version=v2 reason="two words"',
        '2025-01-02T03:04:05.000Z instance.ready instance/web-prod-1 port=40001 ready=true probe={"path":"/ready"}',
        '',
      ].join('\n'),
    );
  });

  it('prints NDJSON with --json', async () => {
    api = await startFakeApi(() => ({ json: { events: [first, second] } }));
    const out = captureIo();
    expect(await main(['events', '--json', '--server', api.url], out.io)).toBe(0);
    const lines = out.stdout().trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([first, second]);
  });

  it('follows the stream until interrupted, then exits 0', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/events' ? { json: { events: [] } } : { events: [first, second] },
    );
    const out = stopAfterLines(2);
    const args = [
      'events',
      '--follow',
      '--kind',
      'deployment.',
      '--after',
      '0',
      '--json',
      '--server',
      api.url,
    ];
    expect(await main(args, out.io)).toBe(0);
    const [page, request] = api.requests;
    expect(page?.query.get('after')).toBe('0');
    expect(request?.path).toBe('/api/v1/events/stream');
    expect(request?.query.get('kind')).toBe('deployment.');
    expect(request?.headers['last-event-id']).toBe('0');
    expect(
      out
        .stdout()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([first, second]);
  });

  it('resumes after the last event it saw when the server ends the stream', async () => {
    let connections = 0;
    api = await startFakeApi((r) => {
      if (r.path === '/api/v1/events') return { json: { events: [] } };
      return connections++ === 0 ? { events: [first], end: true } : { events: [second] };
    });
    const out = stopAfterLines(2);
    expect(await main(['events', '--follow', '--server', api.url], out.io)).toBe(0);
    const streams = api.requests.filter((r) => r.path === '/api/v1/events/stream');
    expect(streams.map((r) => r.headers['last-event-id'])).toEqual([undefined, '1']);
    expect(out.stdout()).toContain(' instance.ready instance/web-prod-1 ');
  });

  it('shows the latest events since a time, newest last, then follows after the last one', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/events' ? { json: { events: [first] } } : { events: [second] },
    );
    const out = stopAfterLines(2);
    const args = ['events', '--since', '2025-01-02T03:00:00Z', '-f', '--json'];
    expect(await main([...args, '--server', api.url], out.io)).toBe(0);
    const [page, stream] = api.requests;
    expect(Object.fromEntries(page?.query ?? [])).toEqual({
      since: '2025-01-02T03:00:00.000Z',
      limit: '50',
      order: 'latest',
    });
    expect(stream?.headers['last-event-id']).toBe(String(first.id));
    const lines = out.stdout().trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([first, second]);
  });

  it('exits 2 on a --since that is neither a duration nor a time', async () => {
    const out = captureIo();
    expect(await main(['events', '--since', 'yesterday'], out.io)).toBe(2);
    expect(out.stderr()).toContain('expected a duration like 30m');
  });
});
