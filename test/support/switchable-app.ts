import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { c as createTar } from 'tar';

/**
 * A tiny HTTP app whose behaviour a test switches from outside through files in a control folder,
 * so a real runtime's story (unready, crashing on every start) can be told without timing knobs:
 * `<control>/<instance>.unready` makes `/healthz` answer 503, `<control>/<instance>.crash` makes
 * the next start exit at once with code 1.
 */
const serverSource = `
const { existsSync } = require('node:fs');
const { createServer } = require('node:http');
const flag = (name) => existsSync(process.env.CONTROL_DIR + '/' + process.env.FERRY_INSTANCE + '.' + name);
if (flag('crash')) {
  console.error('crashing on start as the control folder says');
  process.exit(1);
}
const port = Number(process.env.PORT);
createServer((req, res) => {
  const ok = req.url !== '/healthz' || !flag('unready');
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'unready');
}).listen(port, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + port));
process.on('SIGTERM', () => process.exit(0));
`;

export interface SwitchableApp {
  readonly artifactPath: string;
  readonly artifactDigest: string;
  /** Give instances `CONTROL_DIR` set to this in their environment. */
  readonly controlDir: string;
  /** Switches a behaviour of one instance on or off. */
  set(instanceId: string, flag: 'unready' | 'crash', on: boolean): Promise<void>;
}

/** Packs the app into `<dir>/switchable.tgz`, with its control folder beside it. */
export async function buildSwitchableApp(dir: string): Promise<SwitchableApp> {
  const staging = join(dir, 'switchable-src');
  const controlDir = join(dir, 'switchable-control');
  await mkdir(staging, { recursive: true });
  await mkdir(controlDir, { recursive: true });
  // Readable by instances that run as `nobody` under a root server.
  await chmod(controlDir, 0o755);
  await writeFile(join(staging, 'server.js'), serverSource);
  const artifactPath = join(dir, 'switchable.tgz');
  await createTar({ gzip: true, cwd: staging, file: artifactPath }, ['server.js']);
  await rm(staging, { recursive: true, force: true });
  const hash = createHash('sha256').update(await readFile(artifactPath));
  return {
    artifactPath,
    artifactDigest: `sha256:${hash.digest('hex')}`,
    controlDir,
    async set(instanceId, flag, on) {
      const path = join(controlDir, `${instanceId}.${flag}`);
      if (on) await writeFile(path, '');
      else await rm(path, { force: true });
    },
  };
}
