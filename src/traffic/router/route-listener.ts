import { createServer, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ClientConnection, type ClientConnectionOwner } from './client-connection.js';
import type { CompiledTable } from './compiled-table.js';
import { sendRawProxyError } from './error-response.js';
import { proxyRequest, type ProxySettings, type TableHolder } from './proxy.js';
import { proxyUpgrade } from './upgrade-tunnel.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** How long clients may be slow or idle on a listener's connections. */
export interface ClientTimeouts {
  /** Until the request head is complete; then 408 and the connection is closed. */
  readonly headersMs: number;
  /** Between requests on a keep-alive connection. */
  readonly idleMs: number;
}

type ConnectionListener = (this: Server, socket: Socket) => void;
type StreamSocket = Socket & { _handle?: { _consumed?: boolean } | null };

/**
 * The HTTP listener of one service/environment (main or preview), proxying with whatever table
 * it holds now. Upgraded connections (WebSocket) are tunnelled and tracked: the HTTP server no
 * longer sees them, so closing the listener cuts them itself.
 */
export class RouteListener implements TableHolder {
  private current: CompiledTable;
  private readonly server: Server;
  private readonly tunnels = new Set<Duplex>();
  /** Connections on the fast path (client-connection.ts), not (yet) node:http's. */
  private readonly clients = new Set<ClientConnection>();
  /** Set by `retire`: every further response asks its client to close the connection. */
  private retiring = false;
  /** Settles when the listener is bound (or failed to bind). */
  readonly opened: Promise<void>;

  constructor(
    readonly listen: ListenAddress,
    table: CompiledTable,
    settings: ProxySettings,
    timeouts: ClientTimeouts,
    /** Plain requests are read and answered by the router itself (client-connection.ts). */
    fastPath = true,
  ) {
    this.current = table;
    this.server = createServer(
      {
        headersTimeout: timeouts.headersMs,
        // A whole request, uploads included: never below Node's 5 min default, so a slow upload
        // is not cut by a short idle setting.
        requestTimeout: Math.max(300_000, timeouts.idleMs, timeouts.headersMs),
        keepAliveTimeout: timeouts.idleMs,
        // Node checks the two timeouts above this often (30 s by default): keep them close.
        connectionsCheckingInterval: Math.max(100, Math.min(1_000, timeouts.headersMs / 4)),
      },
      (req, res) => {
        if (this.retiring) res.shouldKeepAlive = false;
        proxyRequest(this, settings, req, res);
      },
    );
    // Handled, so Node no longer answers `100 Continue` itself: the upstream does.
    this.server.on('checkContinue', (req, res) => {
      if (this.retiring) res.shouldKeepAlive = false;
      proxyRequest(this, settings, req, res, true);
    });
    this.server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      this.tunnels.add(socket);
      socket.once('close', () => this.tunnels.delete(socket));
      proxyUpgrade(this, settings, req, socket, head);
    });
    // Without a listener Node drops a CONNECT silently; the router is no forward proxy.
    this.server.on('connect', (_req, socket: Duplex) => {
      socket.on('error', () => socket.destroy());
      sendRawProxyError(socket, 'method_not_allowed');
    });
    if (fastPath) this.takeConnections(settings, timeouts);
    this.opened = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(listen.port, listen.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /**
   * Puts the fast path in front of node:http's server: each new connection starts there, and
   * goes on to node:http's own connection handling, its unread bytes first, at the first request
   * the fast path does not serve.
   */
  private takeConnections(settings: ProxySettings, timeouts: ClientTimeouts): void {
    const server = this.server;
    const nodeListeners = server.listeners('connection') as ConnectionListener[];
    server.removeAllListeners('connection');
    const clients = this.clients;
    const isRetiring = () => this.retiring;
    const owner: ClientConnectionOwner = {
      holder: this,
      settings,
      headersTimeoutMs: timeouts.headersMs,
      keepAliveTimeoutMs: timeouts.idleMs,
      get retiring() {
        return isRetiring();
      },
      handOver(_connection, socket, pending) {
        // node:http then reads through the socket's stream, where the unread bytes are put
        // back, rather than straight from its handle, which would skip them.
        const handle = (socket as StreamSocket)._handle;
        if (handle != null) handle._consumed = true;
        for (const nodeListener of nodeListeners) nodeListener.call(server, socket);
        if (pending !== undefined) socket.unshift(pending);
      },
      forget(connection) {
        clients.delete(connection);
      },
    };
    server.on('connection', (socket: Socket) => {
      clients.add(new ClientConnection(socket, owner));
    });
  }

  private closeIdleClients(): void {
    for (const client of this.clients) if (client.idle) client.destroy();
  }

  private closeAllClients(): void {
    for (const client of this.clients) client.destroy();
  }

  get table(): CompiledTable {
    return this.current;
  }

  /** Routes new requests with `table`; returns the table it replaced. */
  swap(table: CompiledTable): CompiledTable {
    const previous = this.current;
    this.current = table;
    return previous;
  }

  /** The bound address: the real port when port 0 was asked for. */
  address(): ListenAddress {
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  /**
   * Stops accepting connections, lets requests in flight finish and closes each keep-alive
   * connection as soon as it is idle; after `graceMs` the remaining connections, tunnels
   * included, are cut.
   */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.closeIdleClients();
    const sweep = setInterval(() => {
      this.server.closeIdleConnections();
      this.closeIdleClients();
    }, 50);
    const cut = setTimeout(() => {
      this.server.closeAllConnections();
      this.closeAllClients();
      for (const tunnel of this.tunnels) tunnel.destroy();
    }, graceMs);
    try {
      await closed;
    } finally {
      clearInterval(sweep);
      clearTimeout(cut);
    }
  }

  /**
   * Hands the listening socket over to a successor sharing it (a router process upgrade) without
   * refusing a request: stops accepting but leaves idle keep-alive connections alone (a client may
   * be sending on one right now; `http.Server.close` would cut them), and every further response
   * carries `Connection: close`. After `graceMs` the connections still idle are closed; after
   * `cutMs` everything left, tunnels included. Resolves once no connection remains.
   */
  async retire(graceMs: number, cutMs: number): Promise<void> {
    this.retiring = true;
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else NetServer.prototype.close.call(this.server, () => resolve());
    });
    const idle = setTimeout(() => {
      this.server.closeIdleConnections();
      this.closeIdleClients();
    }, graceMs);
    const cut = setTimeout(() => {
      this.server.closeAllConnections();
      this.closeAllClients();
      for (const tunnel of this.tunnels) tunnel.destroy();
    }, cutMs);
    try {
      await closed;
      await untilNoTunnel(this.tunnels);
    } finally {
      clearTimeout(idle);
      clearTimeout(cut);
    }
  }
}

async function untilNoTunnel(tunnels: Set<Duplex>): Promise<void> {
  while (tunnels.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
}
