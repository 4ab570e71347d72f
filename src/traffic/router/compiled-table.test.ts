import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import { compileTable, releaseTable, type CompiledTable } from './compiled-table.js';
import { UpstreamPool } from './upstream-pool.js';

const pool = new UpstreamPool({ idleTimeoutMs: 4_000 });
const compiled: CompiledTable[] = [];

afterEach(() => {
  for (const table of compiled.splice(0)) releaseTable(table, pool);
});

const upstream = (id: string, version: string) => ({ id, host: '127.0.0.1', port: 1, version });

function compile(table: Partial<RoutingTable>): CompiledTable {
  const result = compileTable(
    {
      service: 'web',
      environment: 'test',
      listen: { host: '127.0.0.1', port: 0 },
      backends: { stable: [upstream('s', '1.0.0')], canary: [upstream('c', '2.0.0')] },
      ...table,
    },
    pool,
  );
  compiled.push(result);
  return result;
}

function request(...rawHeaders: string[]): IncomingMessage {
  return { rawHeaders } as unknown as IncomingMessage;
}

function canaryShare(table: CompiledTable, picks: number): number {
  const req = request('Host', 'web');
  let canary = 0;
  for (let i = 0; i < picks; i++) if (table.pick(req).balancer.track === 'canary') canary++;
  return canary;
}

describe('compileTable', () => {
  it('honours weights in 0.1 % steps', () => {
    // One million picks: a standard deviation of ~32 at 0.1 %, ~330 at 12.3 %.
    expect(canaryShare(compile({ canaryWeight: 0.1 }), 1_000_000)).toBeGreaterThan(850);
    expect(canaryShare(compile({ canaryWeight: 0.1 }), 1_000_000)).toBeLessThan(1_150);
    expect(canaryShare(compile({ canaryWeight: 12.3 }), 1_000_000)).toBeGreaterThan(121_500);
    expect(canaryShare(compile({ canaryWeight: 12.3 }), 1_000_000)).toBeLessThan(124_500);
    expect(canaryShare(compile({ canaryWeight: 0 }), 10_000)).toBe(0);
    expect(canaryShare(compile({ canaryWeight: 100 }), 10_000)).toBe(10_000);
  });

  it('follows the sticky cookie to the upstreams of its version only', () => {
    const table = compile({
      backends: {
        stable: [upstream('s1', '1.0.0'), upstream('s2', '1.1.0')],
        canary: [upstream('c', '2.0.0')],
      },
      canaryWeight: 50,
      sticky: { cookie: 'v' },
    });

    for (let i = 0; i < 20; i++) {
      const selection = table.pick(request('Cookie', 'v=1.1.0'));
      expect(selection.pinCookie).toBeUndefined();
      expect(selection.balancer.next()?.upstream.id).toBe('s2');
    }
    const fresh = table.pick(request('Cookie', 'v=3.0.0'));
    expect(fresh.pinCookie?.name).toBe('v');
  });

  it('does not mirror without a canary upstream, and mirrors the share asked for', () => {
    const none = compile({ backends: { stable: [upstream('s', '1.0.0')] }, mirrorPercent: 100 });
    const half = compile({ mirrorPercent: 50 });

    let mirrored = 0;
    for (let i = 0; i < 10_000; i++) if (half.mirrorTarget() !== undefined) mirrored++;

    expect(none.mirrorTarget()).toBeUndefined();
    expect(mirrored).toBeGreaterThan(4_700);
    expect(mirrored).toBeLessThan(5_300);
  });

  it('rejects an invalid regex at apply time, saying which match', () => {
    expect(() =>
      compile({
        canaryMatches: [{ source: 'header', name: 'x-a', kind: 'regex', value: '([a-z' }],
      }),
    ).toThrow(/canaryMatches\[0\]: header x-a has an invalid regex/);
  });
});
