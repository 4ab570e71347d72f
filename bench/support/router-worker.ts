// Child process entry: serves the stable track of one service through Ferry's router.
// Env: UPSTREAM_PORT. Answers `{ port }` over IPC once listening, and its CPU time to each
// `'cpu'` message; exits on SIGTERM or when the bench process goes away.
import { Router } from '../../src/traffic/router/router.js';

export interface RouterWorkerReady {
  readonly port: number;
}

/** User plus system CPU time the router process used so far, in microseconds. */
export interface RouterWorkerCpu {
  readonly cpuMicros: number;
}

const router = new Router();
await router.apply({
  service: 'bench',
  environment: 'bench',
  listen: { host: '127.0.0.1', port: 0 },
  backends: {
    stable: [
      {
        id: 'hello-1',
        host: '127.0.0.1',
        port: Number(process.env.UPSTREAM_PORT),
        version: 'bench',
      },
    ],
  },
});
const ready: RouterWorkerReady = { port: router.address('bench', 'bench')?.port ?? 0 };
process.send?.(ready);
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  const cpu: RouterWorkerCpu = { cpuMicros: user + system };
  process.send?.(cpu);
});
const stop = () => void router.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
