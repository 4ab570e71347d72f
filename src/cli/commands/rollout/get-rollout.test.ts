import { afterEach, describe, expect, it } from 'vitest';
import type { RolloutView } from '../../api-types.js';
import { main } from '../../main.js';
import { deploymentFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';
import { rolloutViewFixture } from './test-rollout-fixtures.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const get = (...extra: string[]) => ['rollout', 'get', 'web', '--env', 'prod', ...extra];

const pausedText = [
  'web prod: dep-7 v2 Paused (paused at step 2/3: run "ferry rollout promote" to go on)',
  'canary, 3 steps:',
  '✓ 1. setWeight 10%',
  '▶ 2. pause (until promoted)',
  '  3. setWeight 50%',
  'traffic: canary 10% · header x-canary exact "yes" · mirror 50%',
  '',
  'TRACK   VERSION  READY  REQUESTS  5XX  P50   P95     P99   BY-HEADER  BY-COOKIE',
  'stable  v1       2/2    1200      3    12ms  40.3ms  81ms  0          0',
  'canary  v2       1/1    -         -    -     -       -     -          -',
  'mirror: 600 sent, 3 skipped, 1 failed',
  '',
].join('\n');

/** The view one step further: weight 50%, the pause done. */
const progressed = rolloutViewFixture({
  deployment: deploymentFixture({ id: 'dep-7', previousId: 'dep-6' }),
  steps: [
    { index: 0, text: 'setWeight 10%', state: 'done' },
    { index: 1, text: 'pause (until promoted)', state: 'done' },
    { index: 2, text: 'setWeight 50%', state: 'current' },
  ],
});

/** A fake API answering `views` in turn (the last one again after that), one per GET. */
function viewsApi(views: readonly RolloutView[], onGet: (count: number) => void = () => {}) {
  let count = 0;
  return startFakeApi((r) => {
    if (r.method !== 'GET' || r.path !== '/api/v1/rollouts/web/prod') return undefined;
    const view = views[Math.min(count, views.length - 1)];
    onGet(++count);
    return { json: view };
  });
}

describe('ferry rollout get', () => {
  it('prints the deployment, the steps with markers, the traffic split and the tracks', async () => {
    api = await viewsApi([rolloutViewFixture()]);
    const out = captureIo();
    expect(await main([...get(), '--server', api.url], out.io)).toBe(0);
    expect(out.stdout()).toBe(pausedText);
    expect(out.stderr()).toBe('');
  });

  it('shows which set is active for blue-green and says when there is nothing yet', async () => {
    const blueGreen = rolloutViewFixture({
      strategy: 'blueGreen',
      steps: [],
      traffic: {
        canaryWeight: 0,
        baselineWeight: 0,
        matches: [],
        mirrorPercent: 0,
        active: 'stable',
        preview: true,
      },
    });
    api = await viewsApi([blueGreen]);
    const out = captureIo();
    expect(await main([...get(), '--server', api.url], out.io)).toBe(0);
    expect(out.stdout()).toContain(
      '\nblue-green (no steps)\ntraffic: active: stable, preview open\n',
    );

    await api.close();
    const empty = rolloutViewFixture({
      deployment: null,
      strategy: 'rolling',
      steps: [],
      traffic: null,
      tracks: [],
    });
    api = await viewsApi([empty]);
    const none = captureIo();
    expect(await main([...get(), '--server', api.url], none.io)).toBe(0);
    expect(none.stdout()).toBe(
      'web prod: no deployment yet\nrolling update (no steps)\ntraffic: not split\n',
    );
  });

  it('prints the RolloutView unchanged with --json', async () => {
    api = await viewsApi([rolloutViewFixture()]);
    const out = captureIo();
    expect(await main([...get(), '--json', '--server', api.url], out.io)).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual(rolloutViewFixture());
    expect(out.stderr()).toBe('');
  });

  it('exits 1 with the server message for an unknown service', async () => {
    api = await startFakeApi(() => ({
      status: 404,
      json: { error: { code: 'not_found', message: 'unknown service "nope"' } },
    }));
    const out = captureIo();
    const args = ['rollout', 'get', 'nope', '--env', 'prod', '--server', api.url];
    expect(await main(args, out.io)).toBe(1);
    expect(out.stderr()).toBe('error: unknown service "nope"\n');
  });

  it('exits 2 for an unknown action or an option of another action', async () => {
    const cases: [string[], string][] = [
      [
        ['rollout', 'promte', 'web', '--env', 'prod'],
        'error: unknown rollout action "promte"; expected get, promote, abort, retry, pause or resume\n',
      ],
      [get('--full'), 'error: --full goes with "ferry rollout promote", not "get"\n'],
      [
        ['rollout', 'abort', 'web', '--env', 'prod', '--watch'],
        'error: --watch goes with "ferry rollout get", not "abort"\n',
      ],
    ];
    for (const [args, message] of cases) {
      const out = captureIo();
      expect(await main(args, out.io)).toBe(2);
      expect(out.stderr()).toBe(message);
    }
  });
});

describe('ferry rollout get --watch', () => {
  it('prints a new block only when the view changed, and exits 0 when interrupted', async () => {
    const stop = new AbortController();
    api = await viewsApi(
      [rolloutViewFixture(), rolloutViewFixture(), progressed],
      (n) => n === 5 && stop.abort(),
    );
    const out = captureIo({ signal: stop.signal });
    expect(await main([...get(), '--watch', '--server', api.url], out.io)).toBe(0);
    expect(api.requests).toHaveLength(5);
    const blocks = out.stdout().split(/\n\n(?=web prod:)/);
    expect(blocks).toHaveLength(2);
    expect(`${blocks[0]}\n`).toBe(pausedText);
    expect(blocks[1]).toContain('✓ 2. pause (until promoted)\n▶ 3. setWeight 50%\n');
  });

  it('prints one JSON line per change with --json', async () => {
    const stop = new AbortController();
    api = await viewsApi(
      [rolloutViewFixture(), progressed, progressed],
      (n) => n === 4 && stop.abort(),
    );
    const out = captureIo({ signal: stop.signal });
    expect(await main([...get(), '--watch', '--json', '--server', api.url], out.io)).toBe(0);
    const lines = out.stdout().trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([rolloutViewFixture(), progressed]);
  });

  it('clears and redraws the screen on every refresh on a terminal', async () => {
    const stop = new AbortController();
    api = await viewsApi([rolloutViewFixture()], (n) => n === 3 && stop.abort());
    const out = captureIo({ signal: stop.signal, isTTY: true });
    expect(await main([...get(), '--watch', '--server', api.url], out.io)).toBe(0);
    expect(out.stdout()).toBe(`\x1b[H\x1b[2J${pausedText}`.repeat(3));
  });

  it('asks nothing when interrupted before it starts', async () => {
    api = await viewsApi([rolloutViewFixture()]);
    const out = captureIo({ signal: AbortSignal.abort() });
    expect(await main([...get(), '--watch', '--server', api.url], out.io)).toBe(0);
    expect(api.requests).toHaveLength(0);
    expect(out.stdout()).toBe('');
  });
});
