import { join } from 'node:path';
import type { HaproxyPaths } from './haproxy-config.js';

/** Where the HAProxy of a data folder keeps its files: `<data>/haproxy/`. */
export function haproxyPaths(dir: string): HaproxyPaths {
  return {
    dir,
    config: join(dir, 'haproxy.cfg'),
    pidFile: join(dir, 'haproxy.pid'),
    masterSocket: join(dir, 'master.sock'),
    adminSocket: join(dir, 'admin.sock'),
    log: join(dir, 'haproxy.log'),
    state: join(dir, 'state.json'),
  };
}
