// Child process entry: runs one autocannon load and sends its summary back over IPC.
import autocannon from 'autocannon';
import type { LoadOptions, LoadResult } from './load.js';

process.once('message', (message) => {
  const options = message as LoadOptions;
  autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: options.pipelining,
  }).then(
    (result) => {
      const summary: LoadResult = {
        rps: result.requests.total / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        requests: result.requests.total,
        failures: result.errors + result.non2xx,
      };
      process.send?.(summary, () => process.disconnect());
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
      process.disconnect();
    },
  );
});
