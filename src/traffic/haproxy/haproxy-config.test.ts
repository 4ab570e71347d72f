import { describe, expect, it } from 'vitest';
import { renderHaproxyConfig } from './haproxy-config.js';
import { haproxyPaths } from './haproxy-paths.js';
import { freeSlots, type ListenerState } from './listener-state.js';

const paths = haproxyPaths('/data/haproxy');

const listener: ListenerState = {
  service: 'web',
  environment: 'prod',
  listener: 'main',
  proxy: 'web.prod.main',
  bind: { host: '127.0.0.1', port: 8080 },
  requested: { host: '127.0.0.1', port: 8080 },
  slots: [
    {
      name: 's1',
      upstream: { id: 'web-1', host: '127.0.0.1', port: 9001, version: '1.0.0' },
      track: 'stable',
      weight: 256,
      leaving: false,
    },
    {
      name: 's2',
      upstream: { id: 'web-2', host: '127.0.0.1', port: 9002, version: '2.0.0' },
      track: 'canary',
      weight: 64,
      leaving: true,
    },
    ...freeSlots(3, 1),
  ],
};

describe('renderHaproxyConfig', () => {
  it('writes the admin socket, one frontend and backend per listener, and every slot as it stands', () => {
    const text = renderHaproxyConfig([listener], paths, { headersMs: 10_000, idleMs: 60_000 });
    expect(text).toContain('  nbthread 1\n');
    expect(text).toContain(
      '  stats socket /data/haproxy/admin.sock mode 600 level admin expose-fd listeners\n',
    );
    expect(text).toContain('  timeout http-request 10000ms\n  timeout http-keep-alive 60000ms\n');
    expect(text).toContain(
      [
        'frontend web.prod.main',
        '  bind 127.0.0.1:8080',
        '  http-request del-header x-forwarded-for',
        '  http-request set-header x-forwarded-proto http',
        '  http-request set-header x-forwarded-host %[req.hdr(host)]',
        '  default_backend web.prod.main',
        '',
        'backend web.prod.main',
        '  balance roundrobin',
        '  server s1 127.0.0.1:9001 weight 256 # web-1 stable 1.0.0',
        '  server s2 127.0.0.1:9002 weight 64 # web-2 leaving 2.0.0',
        '  server s3 127.0.0.1:1 weight 0 disabled',
      ].join('\n'),
    );
  });

  it('writes no proxy without listeners, and the threads asked for', () => {
    const text = renderHaproxyConfig([], paths, { headersMs: 1, idleMs: 2, threads: 4 });
    expect(text).not.toMatch(/^(frontend|backend) /m);
    expect(text).toContain('  nbthread 4\n');
  });

  it('keeps forwarded headers from trusted proxies only', () => {
    const trustedProxies = [
      { address: '10.0.0.0', prefix: 8 },
      { address: '::1', prefix: 128 },
    ];
    const text = renderHaproxyConfig([listener], paths, {
      headersMs: 1,
      idleMs: 2,
      trustedProxies,
    });
    expect(text).toContain(
      [
        '  acl ferry_trusted src 10.0.0.0/8 ::1/128',
        '  http-request del-header x-forwarded-for unless ferry_trusted',
        '  http-request set-header x-forwarded-proto http unless ferry_trusted',
        '  http-request set-header x-forwarded-host %[req.hdr(host)] unless ferry_trusted',
      ].join('\n'),
    );
  });
});
