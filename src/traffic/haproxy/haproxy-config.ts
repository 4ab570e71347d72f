import type { ListenerState, Slot } from './listener-state.js';

/** Files of one HAProxy under `<data>/haproxy/`. */
export interface HaproxyPaths {
  readonly dir: string;
  readonly config: string;
  readonly pidFile: string;
  /** The master CLI (`-S`): `show proc`, `reload`. */
  readonly masterSocket: string;
  /** The Runtime API (`stats socket`, level admin): weights, addresses, states, `show stat`. */
  readonly adminSocket: string;
  readonly log: string;
  /** Ferry's record of the listeners and slots, so a restarted server adopts them. */
  readonly state: string;
}

/** Settings of every listener (ferry.yaml `router.timeouts`), and the process's threads. */
export interface HaproxySettings {
  readonly headersMs: number;
  readonly idleMs: number;
  /** How long the upstream may take to answer. Default 60 s, as Ferry's router. */
  readonly responseTimeoutMs?: number;
  /** Default 1. */
  readonly threads?: number;
  /** How long a worker left by a reload may finish its requests and tunnels. Default 5 m. */
  readonly hardStopAfterMs?: number;
  /**
   * Peers whose X-Forwarded-For, -Proto and -Host are kept (ferry.yaml `router.trustedProxies`);
   * from others they are replaced, as Ferry's router does. Default none.
   */
  readonly trustedProxies?: readonly { readonly address: string; readonly prefix: number }[];
}

/**
 * The whole haproxy.cfg for the listeners Ferry holds. It always says the current slots
 * (addresses, weights, free ones disabled), so a reload, or a restart of HAProxy, comes back as
 * the Runtime API had left it. One frontend and one backend per listener, named after it.
 *
 * Retries: a connection refused or an empty response (a keep-alive connection the upstream
 * closed just as it was reused) is tried again, on another server (`option redispatch`).
 */
export function renderHaproxyConfig(
  listeners: readonly ListenerState[],
  paths: HaproxyPaths,
  settings: HaproxySettings,
): string {
  const lines = [
    '# Written by Ferry; changes here are overwritten.',
    'global',
    `  nbthread ${settings.threads ?? 1}`,
    `  stats socket ${paths.adminSocket} mode 600 level admin expose-fd listeners`,
    `  hard-stop-after ${settings.hardStopAfterMs ?? 300_000}ms`,
    '',
    'defaults',
    '  mode http',
    // On a reload the old worker answers the next request of an idle keep-alive connection with
    // `Connection: close` instead of closing it under a client that may be sending on it.
    '  option idle-close-on-response',
    '  option forwardfor',
    '  option redispatch 1',
    '  retries 3',
    '  retry-on conn-failure empty-response',
    '  timeout connect 5s',
    `  timeout http-request ${settings.headersMs}ms`,
    `  timeout http-keep-alive ${settings.idleMs}ms`,
    `  timeout client ${Math.max(settings.idleMs, settings.headersMs)}ms`,
    `  timeout server ${settings.responseTimeoutMs ?? 60_000}ms`,
    '  timeout tunnel 1h',
  ];
  for (const listener of listeners) {
    const { proxy, bind } = listener;
    lines.push(
      '',
      `frontend ${proxy}`,
      `  bind ${bindAddress(bind.host)}:${bind.port}`,
      ...forwardedHeaders(settings.trustedProxies ?? []),
      `  default_backend ${proxy}`,
      '',
      `backend ${proxy}`,
      '  balance roundrobin',
      ...listener.slots.map(serverLine),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A slot's server line: a free slot parks on a closed port, disabled, so it is never picked. */
export function serverLine(slot: Slot): string {
  if (slot.upstream === null) return `  server ${slot.name} 127.0.0.1:1 weight 0 disabled`;
  const { host, port, id, version } = slot.upstream;
  const note = `# ${id} ${slot.leaving ? 'leaving' : (slot.track ?? '')} ${version}`;
  return `  server ${slot.name} ${host}:${port} weight ${slot.weight} ${note}`;
}

/**
 * X-Forwarded-* from a peer outside `trusted` are the client's word: drop X-Forwarded-For (then
 * `option forwardfor` writes the peer) and set -Proto and -Host from the connection.
 */
function forwardedHeaders(trusted: readonly { address: string; prefix: number }[]): string[] {
  const unless = trusted.length > 0 ? ' unless ferry_trusted' : '';
  return [
    ...(trusted.length > 0
      ? [`  acl ferry_trusted src ${trusted.map((s) => `${s.address}/${s.prefix}`).join(' ')}`]
      : []),
    `  http-request del-header x-forwarded-for${unless}`,
    `  http-request set-header x-forwarded-proto http${unless}`,
    `  http-request set-header x-forwarded-host %[req.hdr(host)]${unless}`,
  ];
}

/** HAProxy takes the port after the last colon, so IPv6 addresses are written bare. */
function bindAddress(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}
