import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';

describe('webhook notifications', () => {
  let server: FerryServer | undefined;
  let hook: Server | undefined;
  afterEach(async () => {
    await server?.destroy();
    hook?.close();
    server = hook = undefined;
  });

  it('posts a Slack-compatible JSON body on rollback, retrying after failures', async () => {
    const received: { attempt: number; body: Record<string, unknown>; auth?: string }[] = [];
    const attempts = new Map<string, number>();
    const hookPort = await freePort();
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        const attempt = (attempts.get(String(parsed['kind'])) ?? 0) + 1;
        attempts.set(String(parsed['kind']), attempt);
        // The first two attempts of each notification fail: the notifier must retry.
        res.statusCode = attempt <= 2 ? 500 : 200;
        res.end();
        if (attempt > 2) received.push({ attempt, body: parsed, auth: req.headers.authorization });
      });
    }).listen(hookPort, '127.0.0.1');

    const routePort = await freePort();
    const config = helloConfig({ routePort, replicas: 1, progressDeadline: '2s' }).replace(
      '    drainTimeout:',
      `    notifications:\n      webhooks:\n        - url: http://127.0.0.1:${hookPort}/hook?token=t0ps3cret\n          headers: { authorization: "Bearer s3cret" }\n    drainTimeout:`,
    );
    server = await FerryServer.create(config);
    await server.start();
    await deployHello(server, { version: 'v1' });
    const v2 = await startDeploy(
      server,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', neverReady: true }),
    );
    expect((await waitForFinal(server, v2.id)).phase).toBe('RolledBack');

    const first = await eventually(
      async () => received.find((r) => r.body['kind'] === 'deployment.rolling_back'),
      30_000,
      'a delivered webhook',
    );
    expect(first.attempt).toBe(3);
    expect(first.auth).toBe('Bearer s3cret');
    expect(first.body).toMatchObject({
      kind: 'deployment.rolling_back',
      service: 'hello',
      environment: 'prod',
      version: 'v2',
      deploymentId: v2.id,
    });
    expect(String(first.body['text'])).toMatch(
      /hello v2 in prod is being rolled back: no progress/,
    );
    const sent = await eventually(async () => {
      const { events } = await server!.get<{
        events: { kind: string; payload: { attempts: number; about: string; url: string } }[];
      }>('/api/v1/events?kind=notification.&limit=100');
      return events.find(
        (e) => e.kind === 'notification.sent' && e.payload.about === 'deployment.rolling_back',
      );
    });
    expect(sent.payload.attempts).toBe(3);

    // The webhook URL is a secret: masked in events (query string included) and never logged.
    expect(sent.payload).toMatchObject({ url: `http://127.0.0.1:${hookPort}/***?token=***` });
    const all = await server.get<unknown>('/api/v1/events?limit=1000');
    expect(JSON.stringify(all)).not.toContain('t0ps3cret');
    expect(server.output.join('')).not.toContain('t0ps3cret');
  });
});
