import { describe, expect, it } from 'vitest';
import { parseProcessList, parseStat } from './haproxy-socket.js';

describe('parseStat', () => {
  it('reads the columns by the header’s names', () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,eresp,hrsp_5xx,rtime,ttime',
      'web.prod.main,FRONTEND,,,3,9,,120,,4,,',
      'web.prod.main,s1,,,2,5,,70,1,3,12,15',
      '',
    ].join('\n');
    expect(parseStat(csv)[1]).toEqual({
      proxy: 'web.prod.main',
      server: 's1',
      current: 2,
      total: 70,
      responses5xx: 3,
      responseErrors: 1,
      responseMs: 12,
      totalMs: 15,
    });
  });
});

describe('parseProcessList', () => {
  it('reads the reload counters and the workers of HAProxy 2.6’s show proc', () => {
    const text = [
      '#<PID>          <type>          <reloads>       <uptime>        <version>',
      '14784           master          2 [failed: 1]   0d00h00m19s     2.6.12-1+deb12u4',
      '# workers',
      '15100           worker          0               0d00h00m01s     2.6.12-1+deb12u4',
      '# old workers',
      '15084           worker          1               0d00h00m08s     2.6.12-1+deb12u4',
      '# programs',
      '',
    ].join('\n');
    expect(parseProcessList(text)).toEqual({
      masterPid: 14784,
      reloads: 2,
      failedReloads: 1,
      workers: [
        { pid: 15100, reloads: 0 },
        { pid: 15084, reloads: 1 },
      ],
    });
    expect(parseProcessList('Unknown command.\n')).toBeUndefined();
  });
});
