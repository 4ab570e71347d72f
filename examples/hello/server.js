// A dependency-free HTTP service for trying Ferry and for its tests.
//
// Knobs come from the environment, overriding `hello.json` in the working directory (camelCase
// keys): HELLO_VERSION/version, HELLO_ERROR_RATE/errorRate, HELLO_LATENCY_MS/latencyMs,
// HELLO_START_DELAY_MS/startDelayMs, HELLO_NEVER_READY/neverReady,
// HELLO_CRASH_AFTER_MS/crashAfterMs, HELLO_IGNORE_SIGTERM/ignoreSigterm. See README.md.
// Without either, the version is the label Ferry deployed (FERRY_VERSION).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { URL } from 'node:url';

const knobs = [
  {
    key: 'version',
    env: 'HELLO_VERSION',
    kind: 'string',
    fallback: process.env.FERRY_VERSION || 'dev',
  },
  { key: 'errorRate', env: 'HELLO_ERROR_RATE', kind: 'number', fallback: 0 },
  { key: 'latencyMs', env: 'HELLO_LATENCY_MS', kind: 'number', fallback: 0 },
  { key: 'startDelayMs', env: 'HELLO_START_DELAY_MS', kind: 'number', fallback: 0 },
  { key: 'neverReady', env: 'HELLO_NEVER_READY', kind: 'boolean', fallback: false },
  { key: 'crashAfterMs', env: 'HELLO_CRASH_AFTER_MS', kind: 'number', fallback: 0 },
  { key: 'ignoreSigterm', env: 'HELLO_IGNORE_SIGTERM', kind: 'boolean', fallback: false },
];

function readFileSettings() {
  try {
    const parsed = JSON.parse(readFileSync('hello.json', 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    console.error(`hello.json ignored: ${error.message}`);
    return {};
  }
}

function coerce(kind, value, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  if (kind === 'string') return String(value);
  if (kind === 'boolean') return value === true || value === 'true' || value === '1';
  const number = Number(value);
  return Number.isFinite(number) ? number : fallback;
}

function loadSettings() {
  const file = readFileSettings();
  const settings = {};
  for (const { key, env, kind, fallback } of knobs) {
    settings[key] = coerce(kind, process.env[env] ?? file[key], fallback);
  }
  return settings;
}

const settings = loadSettings();
const port = Number(process.env.PORT ?? 3000);
let shuttingDown = false;

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('x-version', settings.version);
  // During shutdown every response tells the client (or proxy) to stop reusing the connection.
  if (shuttingDown) res.setHeader('connection', 'close');
  res.writeHead(status);
  res.end(text);
}

function readBodyLength(req) {
  return new Promise((resolve, reject) => {
    let length = 0;
    req.on('data', (chunk) => (length += chunk.length));
    req.on('end', () => resolve(length));
    req.on('error', reject);
  });
}

async function handle(req, res) {
  const bodyBytes = await readBodyLength(req);
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz') {
    if (settings.neverReady || shuttingDown) {
      send(res, 503, {
        status: shuttingDown ? 'shutting_down' : 'not_ready',
        version: settings.version,
      });
    } else {
      send(res, 200, { status: 'ok', version: settings.version });
    }
    return;
  }
  if (path === '/') {
    if (settings.latencyMs > 0) await new Promise((r) => setTimeout(r, settings.latencyMs));
    if (Math.random() < settings.errorRate) {
      send(res, 500, { error: 'injected failure', version: settings.version, pid: process.pid });
      return;
    }
    send(res, 200, {
      version: settings.version,
      pid: process.pid,
      instance: process.env.FERRY_INSTANCE,
    });
    return;
  }
  send(res, 200, {
    method: req.method,
    path,
    url: req.url,
    headers: req.headers,
    bodyBytes,
    version: settings.version,
    instance: process.env.FERRY_INSTANCE,
  });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, { error: String(error) });
    else res.destroy();
  });
});
// `GET /ws` with `Upgrade: websocket`: the handshake is accepted and the connection then held
// open, silent, until the client closes it; enough to see what a deploy does to a WebSocket.
server.on('upgrade', (req, socket) => {
  socket.on('error', () => socket.destroy());
  const key = req.headers['sec-websocket-key'];
  if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/ws' || !key) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const accept = createHash('sha1')
    .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  socket.resume();
  socket.on('end', () => socket.end());
});
// Longer than any proxy's idle timeout, so the proxy closes idle connections first and never
// sends a request on a connection this server is closing.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`${signal}: draining`);
  server.close(() => {
    console.log('drained, bye');
    process.exit(0);
  });
  server.closeIdleConnections();
}

process.on('SIGTERM', () => {
  if (settings.ignoreSigterm) console.log('SIGTERM ignored');
  else shutdown('SIGTERM');
});
process.on('SIGINT', () => shutdown('SIGINT'));

if (settings.crashAfterMs > 0) {
  setTimeout(() => {
    console.error(`crashing after ${settings.crashAfterMs}ms as configured`);
    process.exit(1);
  }, settings.crashAfterMs);
}

setTimeout(() => {
  server.listen(port, '127.0.0.1', () => {
    console.log(`hello ${settings.version} listening on 127.0.0.1:${port} (pid ${process.pid})`);
  });
}, settings.startDelayMs);
