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
import { readPrometheusBody } from './prometheus-result.js';
import { formatBytes, readCapped } from './read-capped.js';
import { shownUrl } from './shown-url.js';

/** Prometheus answers a query in a few KiB; more than this is not an instant value. */
const maxBodyBytes = 4 * 1024 * 1024;

/**
 * Runs an instant PromQL query at the measurement's time through Prometheus' HTTP API and reads
 * the answer as `readPrometheusBody` describes. Every failure names the server:
 * `prometheus at http://127.0.0.1:9090: connection refused`.
 *
 * @example
 * await new PrometheusProvider().measure(
 *   { kind: 'prometheus', address: 'http://127.0.0.1:9090', query: 'sum(up)', timeoutMs: 2000 },
 *   ctx,
 * ) // { value: 3 }
 */
export class PrometheusProvider implements MetricProvider<SpecOf<'prometheus'>> {
  async measure(spec: SpecOf<'prometheus'>, ctx: MeasureContext): Promise<ProviderResult> {
    ctx.signal.throwIfAborted();
    const address = spec.address.replace(/\/+$/, '');
    const where = `prometheus at ${shownUrl(address)}`;
    const url = queryUrl(address, spec.query, ctx.now);
    if (url === undefined) throw new ProviderError(`${where}: invalid address`);
    const deadline = new Deadline(ctx.signal, spec.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: deadline.signal,
      });
      status = response.statusCode;
      const body = await readCapped(response.body, maxBodyBytes);
      if (body === undefined) {
        throw new ProviderError(`${where}: answer larger than ${formatBytes(maxBodyBytes)}`);
      }
      text = body;
    } catch (error) {
      throw deadline.abortError(where) ?? networkFailure(where, error);
    } finally {
      deadline.dispose();
    }
    const reading = readPrometheusBody(parseJson(text), status);
    if (reading.ok) return reading.result;
    throw new ProviderError(`${where}: ${reading.message}`);
  }
}

function queryUrl(address: string, query: string, now: number): string | undefined {
  try {
    const url = new URL(`${address}/api/v1/query`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.searchParams.set('query', query);
    url.searchParams.set('time', (now / 1_000).toFixed(3));
    return url.toString();
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
