import { request } from 'undici';
import {
  ProviderError,
  type MeasureContext,
  type MetricProvider,
  type ProviderResult,
  type SpecOf,
} from '../features/analysis/metric-provider.js';
import { Deadline } from './deadline.js';
import { networkFailure } from './describe-network-error.js';
import { parseJsonPath, selectJsonPath } from './json-path.js';
import { formatBytes, readCapped } from './read-capped.js';
import { shownUrl } from './shown-url.js';

type WebSpec = SpecOf<'web'>;

/** A check answers with a number or a small document; more is a misconfigured URL. */
export const maxResponseBytes = 1024 * 1024;

function snippet(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** JSON when the body is JSON, else the trimmed text; an empty body is no data. */
function parseBody(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return trimmed;
  }
}

function expected(spec: WebSpec): { accepts: (status: number) => boolean; text: string } {
  const list = spec.expectStatus;
  if (list === undefined || list.length === 0) {
    return { accepts: (status) => status >= 200 && status < 300, text: '2xx' };
  }
  return { accepts: (status) => list.includes(status), text: list.join(' or ') };
}

/**
 * Calls a URL and takes its answer as the value: the JSON body (or its text when it is not
 * JSON), narrowed by `jsonPath`. A status outside `expectStatus` (any 2xx by default), a body
 * over 1 MiB, a path that finds nothing and the timeout are ProviderErrors that name the call:
 * `GET http://127.0.0.1:8080/stats: status 503, expected 2xx (body: overloaded)`.
 *
 * @example
 * await new WebProvider().measure(
 *   { kind: 'web', url: 'http://127.0.0.1:8080/stats', method: 'GET', headers: {},
 *     jsonPath: '$.errors.rate', timeoutMs: 2000 },
 *   ctx,
 * ) // { value: 0.002 }
 */
export class WebProvider implements MetricProvider<WebSpec> {
  async measure(spec: WebSpec, ctx: MeasureContext): Promise<ProviderResult> {
    ctx.signal.throwIfAborted();
    const method = spec.method.toUpperCase();
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch (error) {
      throw new ProviderError(`${method} ${spec.url}: invalid URL`, { cause: error });
    }
    const where = `${method} ${shownUrl(url)}`;
    const path = spec.jsonPath === undefined ? undefined : parseJsonPath(spec.jsonPath);
    if (path !== undefined && !path.ok) {
      const { message, column } = path;
      throw new ProviderError(`jsonPath '${spec.jsonPath}': ${message} at column ${column}`);
    }
    const { status, text } = await this.call(spec, url, method, where, ctx);
    const { accepts, text: wanted } = expected(spec);
    if (!accepts(status)) {
      const body = snippet(text);
      throw new ProviderError(
        `${where}: status ${status}, expected ${wanted}${body === '' ? '' : ` (body: ${body})`}`,
      );
    }
    const value = parseBody(text);
    if (path === undefined) return { value };
    const selected = selectJsonPath(value, path.segments);
    if (!selected.found) {
      throw new ProviderError(
        `${where}: jsonPath '${spec.jsonPath}' found nothing: ${selected.message}`,
      );
    }
    return { value: selected.value };
  }

  private async call(
    spec: WebSpec,
    url: URL,
    method: string,
    where: string,
    ctx: MeasureContext,
  ): Promise<{ status: number; text: string }> {
    const deadline = new Deadline(ctx.signal, spec.timeoutMs);
    try {
      const response = await request(url, {
        method,
        headers: { accept: 'application/json, text/plain;q=0.9, */*;q=0.1', ...spec.headers },
        body: spec.body,
        signal: deadline.signal,
      });
      const text = await readCapped(response.body, maxResponseBytes);
      if (text === undefined) {
        throw new ProviderError(`${where}: response larger than ${formatBytes(maxResponseBytes)}`);
      }
      return { status: response.statusCode, text };
    } catch (error) {
      throw deadline.abortError(where) ?? networkFailure(where, error);
    } finally {
      deadline.dispose();
    }
  }
}
