// A notes service on PostgreSQL for trying Ferry's migrations (see README.md).
//
// Every request writes a note and reads the count back, so a deploy under load shows at once
// whether the schema and the code agree. This is version 2: it writes `name` and the new
// `display_name`, which its expand migration adds. Version 1 wrote `name` only
// (WRITES_DISPLAY_NAME = false) and shipped V1 alone.
import { createServer } from 'node:http';
import { URL } from 'node:url';
import pg from 'pg';

const WRITES_DISPLAY_NAME = true;

const version = process.env.FERRY_VERSION || 'dev';
const port = Number(process.env.PORT ?? 3000);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
let shuttingDown = false;

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-version': version });
  res.end(JSON.stringify(body));
}

async function addNote(name) {
  const written = WRITES_DISPLAY_NAME
    ? await pool.query('INSERT INTO notes (name, display_name) VALUES ($1, $2) RETURNING id', [
        name,
        name.replaceAll('-', ' '),
      ])
    : await pool.query('INSERT INTO notes (name) VALUES ($1) RETURNING id', [name]);
  const counted = await pool.query('SELECT count(*)::int AS notes FROM notes');
  return { id: Number(written.rows[0].id), notes: counted.rows[0].notes };
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    if (shuttingDown) return send(res, 503, { ok: false });
    pool.query('SELECT 1').then(
      () => send(res, 200, { ok: true, version }),
      (error) => send(res, 503, { ok: false, error: error.message }),
    );
    return;
  }
  addNote(`note-${version}-${Date.now()}`).then(
    (note) => send(res, 200, { version, ...note }),
    (error) => send(res, 500, { version, error: error.message }),
  );
});

server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`notes ${version} listening on ${port}`));

process.on('SIGTERM', () => {
  shuttingDown = true;
  server.close(() => {
    pool.end().finally(() => {
      console.log('drained, bye');
      process.exit(0);
    });
  });
  server.closeIdleConnections();
});
