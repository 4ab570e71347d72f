// A Fastify app that meets Ferry's app contract (README, "The app contract"): it listens on
// 127.0.0.1:$PORT, answers GET /healthz for Ferry's probes and GET / with the version Ferry
// deployed ($FERRY_VERSION, also in `x-version` on every answer), and on SIGTERM stops accepting,
// finishes the requests in flight and exits. Run it by hand: PORT=3000 node server.js
import Fastify from 'fastify';

const version = process.env.FERRY_VERSION ?? 'dev';
const port = Number(process.env.PORT ?? 3000);

// The log goes to stdout, which Ferry writes to the instance's log file (`ferry logs`).
// Fastify's keep-alive timeout (72 s) is longer than the router's (4 s), so the router closes
// idle connections first and never sends a request on one the app is closing.
const app = Fastify({ logger: true });

app.addHook('onSend', async (_request, reply) => {
  reply.header('x-version', version);
});

app.get('/healthz', async () => ({ status: 'ok', version }));

app.get('/', async () => ({ version, instance: process.env.FERRY_INSTANCE, pid: process.pid }));

// Ferry has taken the instance out of its router and waited for its requests before it sends
// SIGTERM; close() stops accepting, closes idle connections, waits for requests in flight and
// answers any new request on an open connection 503 with `Connection: close`. Ferry sends SIGKILL
// after `drainTimeout`.
async function drain(signal) {
  app.log.info(`${signal}: draining`);
  await app.close();
  app.log.info('drained, bye');
}
process.once('SIGTERM', () => void drain('SIGTERM'));
process.once('SIGINT', () => void drain('SIGINT'));

await app.listen({ host: '127.0.0.1', port });
