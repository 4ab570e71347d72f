import type { ProviderResult } from '../features/analysis/metric-provider.js';

/** A Prometheus reading, or what was wrong with the answer. */
export type PrometheusReading =
  | { readonly ok: true; readonly result: ProviderResult }
  | { readonly ok: false; readonly message: string };

/** A sample value as Prometheus encodes it (`"0.25"`, `"NaN"`, `"+Inf"`); NaN is no data. */
export function sampleValue(text: unknown): number | null {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (typeof text !== 'string') return null;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueOfSample(sample: unknown): number | null {
  const pair = isRecord(sample) ? sample['value'] : undefined;
  return Array.isArray(pair) ? sampleValue(pair[1]) : null;
}

/**
 * Reads the body of `/api/v1/query` (https://prometheus.io/docs/prometheus/latest/querying/api/):
 *
 * - a scalar, or a vector of one sample → that number (`NaN` → `null`);
 * - an empty vector → `null` with sample size 0: the query matched no series, which is no data;
 * - a vector of several samples → an array of numbers, in Prometheus' order (use `sort()`);
 * - a string → the string;
 * - `status: error` → Prometheus' own message (it explains bad queries with a 400, failed ones
 *   with a 422 or 503); a range vector → a hint to reduce it; anything else → the HTTP status.
 *
 * @example readPrometheusBody({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } })
 * // { ok: true, result: { value: 2 } }
 */
export function readPrometheusBody(body: unknown, httpStatus = 200): PrometheusReading {
  const notPrometheus = {
    ok: false,
    message: httpStatus >= 300 ? `HTTP ${httpStatus}` : 'answer is not a Prometheus API response',
  } as const;
  if (!isRecord(body)) return notPrometheus;
  if (body['status'] === 'error') {
    const kind = typeof body['errorType'] === 'string' ? `${body['errorType']}: ` : '';
    return { ok: false, message: `${kind}${String(body['error'] ?? 'unknown error')}` };
  }
  const data = body['data'];
  if (body['status'] !== 'success' || !isRecord(data) || !('result' in data)) return notPrometheus;
  const { resultType, result } = data;
  switch (resultType) {
    case 'scalar':
      return { ok: true, result: { value: Array.isArray(result) ? sampleValue(result[1]) : null } };
    case 'string':
      return { ok: true, result: { value: Array.isArray(result) ? String(result[1]) : null } };
    case 'vector': {
      const samples = Array.isArray(result) ? result : [];
      if (samples.length === 0) return { ok: true, result: { value: null, sampleSize: 0 } };
      if (samples.length === 1) return { ok: true, result: { value: valueOfSample(samples[0]) } };
      return { ok: true, result: { value: samples.map(valueOfSample) } };
    }
    case 'matrix':
      return {
        ok: false,
        message: 'query returned a range vector; reduce it to an instant value, e.g. rate(x[5m])',
      };
    default:
      return { ok: false, message: `unknown result type ${JSON.stringify(resultType)}` };
  }
}
