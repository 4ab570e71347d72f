// Child process entry: Ferry's router in front of one upstream, in WORKERS processes sharing one
// listening socket (Node `cluster`, SCHED_NONE: the kernel hands connections to whichever worker
// accepts first, as a multi-process router would). WORKERS=1 runs the router in this process,
// no cluster. Env: UPSTREAM_PORT, PORT (the shared listening port), WORKERS, ROUTER_METRICS (`0`
// turns metrics off). Sends `{ pids }` over IPC once every worker listens; exits on SIGTERM or
// when the bench process goes away.
// TODO(lead): once `ferry router` (src/traffic/router-process) runs its own workers, point
// startRouterUnderTest at it instead of this script.
import cluster from 'node:cluster';
import { Registry } from 'prom-client';
import { Router } from '../../src/traffic/router/router.js';
import { createRouterMetrics } from '../../src/traffic/router/router-metrics.js';

/** The processes serving the listener, whose CPU time the bench adds up. */
export interface RouterClusterReady {
  readonly pids: readonly number[];
}

const workers = Number(process.env.WORKERS ?? '1');

if (workers > 1 && cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const forked = Array.from({ length: workers }, () => cluster.fork());
  await Promise.all(
    forked.map((worker) => new Promise((resolve) => worker.once('message', resolve))),
  );
  const ready: RouterClusterReady = {
    pids: [process.pid, ...forked.map((worker) => worker.process.pid ?? 0)],
  };
  process.send?.(ready);
  const stop = () => {
    for (const worker of forked) worker.kill('SIGTERM');
    cluster.disconnect(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
} else {
  const metrics =
    process.env.ROUTER_METRICS === '0' ? undefined : createRouterMetrics(new Registry());
  const router = new Router({ metrics });
  await router.apply({
    service: 'bench',
    environment: 'bench',
    listen: { host: '127.0.0.1', port: Number(process.env.PORT) },
    backends: {
      stable: [
        {
          id: 'hello-1',
          host: '127.0.0.1',
          port: Number(process.env.UPSTREAM_PORT),
          version: 'v1',
        },
      ],
    },
  });
  if (cluster.isWorker) process.send?.('listening');
  else process.send?.({ pids: [process.pid] } satisfies RouterClusterReady);
  const stop = () => void router.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
}
