import { request } from 'node:http';

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface HttpProbeTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly timeoutMs: number;
  /** Aborts the probe (the runtime detaches or the instance stops). */
  readonly signal?: AbortSignal;
}

/**
 * One HTTP GET against an instance. 2xx and 3xx count as success; any other status, a
 * connection error or no full answer within `timeoutMs` count as failure, with a reason a person
 * can read (`GET /healthz → 404`, `connection refused on port 41233`,
 * `GET /healthz timed out after 2000ms`). Never rejects.
 */
export function probeHttp(target: HttpProbeTarget): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        method: 'GET',
        agent: false,
        headers: { 'user-agent': 'ferry-probe', connection: 'close' },
        signal: target.signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () =>
          finish(
            status >= 200 && status < 400
              ? { ok: true }
              : { ok: false, reason: `GET ${target.path} → ${status}` },
          ),
        );
        res.on('error', (error) => finish({ ok: false, reason: describe(error, target) }));
      },
    );
    const timer = setTimeout(
      () =>
        finish({ ok: false, reason: `GET ${target.path} timed out after ${target.timeoutMs}ms` }),
      target.timeoutMs,
    );
    timer.unref();
    req.on('error', (error) => finish({ ok: false, reason: describe(error, target) }));
    req.end();
  });
}

const connectionErrors: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
};

function describe(error: Error, target: HttpProbeTarget): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words = code === undefined ? undefined : connectionErrors[code];
  if (words !== undefined) return `${words} on port ${target.port}`;
  return `GET ${target.path}: ${code ?? error.message}`;
}
