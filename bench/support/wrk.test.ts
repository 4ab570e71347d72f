import { describe, expect, it } from 'vitest';
import { parseWrkOutput } from './wrk.js';

// Verbatim output of Debian's wrk 4.1.0 (`wrk -t1 -c32 -d2s --latency`) against examples/hello.
const clean = `Running 2s test @ http://127.0.0.1:18011/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.95ms    5.22ms  84.97ms   97.56%
    Req/Sec    26.56k     9.79k   34.71k    85.00%
  Latency Distribution
     50%    0.94ms
     75%    1.25ms
     90%    2.60ms
     99%   29.36ms
  52745 requests in 2.00s, 10.11MB read
Requests/sec:  26340.54
Transfer/sec:      5.05MB
`;

// Against a server answering 500 to every third request and cutting some connections.
const failing = `Running 1s test @ http://127.0.0.1:18009/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   640.75us    1.28ms  19.50ms   92.07%
    Req/Sec    10.85k     7.00k   21.77k    70.00%
  Latency Distribution
     50%  221.00us
     75%  583.00us
     90%    1.53ms
     99%    6.01ms
  10753 requests in 1.00s, 1.34MB read
  Socket errors: connect 0, read 1132, write 0, timeout 0
  Non-2xx or 3xx responses: 3961
Requests/sec:  10747.16
Transfer/sec:      1.34MB
`;

// The same without --latency: no distribution to read percentiles from.
const withoutLatency = `Running 1s test @ http://127.0.0.1:18009/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   236.45us  395.53us   7.52ms   93.75%
    Req/Sec    20.87k     5.01k   27.38k    70.00%
  20721 requests in 1.00s, 2.59MB read
  Socket errors: connect 2, read 2182, write 1, timeout 3
  Non-2xx or 3xx responses: 7635
Requests/sec:  20703.13
Transfer/sec:      2.59MB
`;

describe('parseWrkOutput', () => {
  it('reads throughput, request count and latency percentiles of a clean run', () => {
    expect(parseWrkOutput(clean)).toEqual({
      rps: 26340.54,
      requests: 52745,
      p50Ms: 0.94,
      p99Ms: 29.36,
      non2xx: 0,
      socketErrors: 0,
    });
  });

  it('reads non-2xx responses and socket errors, and latencies given in µs', () => {
    const result = parseWrkOutput(failing);
    expect(result.non2xx).toBe(3961);
    expect(result.socketErrors).toBe(1132);
    expect(result.p50Ms).toBeCloseTo(0.221, 6);
    expect(result.p99Ms).toBeCloseTo(6.01, 6);
  });

  it('adds up every kind of socket error and has no percentiles without --latency', () => {
    const result = parseWrkOutput(withoutLatency);
    expect(result.socketErrors).toBe(2 + 2182 + 1 + 3);
    expect(result.rps).toBe(20703.13);
    expect(result.p99Ms).toBeNaN();
  });

  it('rejects output without a summary, such as a refused connection', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(
      /no summary/,
    );
  });
});
