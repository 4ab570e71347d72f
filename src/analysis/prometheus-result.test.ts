import { describe, expect, it } from 'vitest';
import { readPrometheusBody } from './prometheus-result.js';

const success = (resultType: string, result: unknown) => ({
  status: 'success',
  data: { resultType, result },
});
const sample = (value: string, labels: Record<string, string> = {}) => ({
  metric: labels,
  value: [1_700_000_000, value],
});

describe('readPrometheusBody', () => {
  it('reads a scalar and a single sample as a number', () => {
    expect(readPrometheusBody(success('scalar', [1_700_000_000, '0.25']))).toEqual({
      ok: true,
      result: { value: 0.25 },
    });
    expect(readPrometheusBody(success('vector', [sample('42')]))).toEqual({
      ok: true,
      result: { value: 42 },
    });
  });

  it('reads an empty vector as no data and several samples as a list', () => {
    expect(readPrometheusBody(success('vector', []))).toEqual({
      ok: true,
      result: { value: null, sampleSize: 0 },
    });
    const samples = [sample('1', { code: '200' }), sample('NaN', { code: '500' })];
    expect(readPrometheusBody(success('vector', samples))).toEqual({
      ok: true,
      result: { value: [1, null] },
    });
  });

  it('reads NaN as no data and keeps infinities', () => {
    expect(readPrometheusBody(success('scalar', [0, 'NaN']))).toMatchObject({
      result: { value: null },
    });
    expect(readPrometheusBody(success('scalar', [0, '+Inf']))).toMatchObject({
      result: { value: Number.POSITIVE_INFINITY },
    });
    expect(readPrometheusBody(success('scalar', [0, '-Inf']))).toMatchObject({
      result: { value: Number.NEGATIVE_INFINITY },
    });
  });

  it("passes on Prometheus' own error, and explains a range vector", () => {
    const body = { status: 'error', errorType: 'bad_data', error: 'parse error: unexpected end' };
    expect(readPrometheusBody(body, 400)).toEqual({
      ok: false,
      message: 'bad_data: parse error: unexpected end',
    });
    expect(readPrometheusBody(success('matrix', []))).toEqual({
      ok: false,
      message: 'query returned a range vector; reduce it to an instant value, e.g. rate(x[5m])',
    });
  });

  it('names the HTTP status of an answer that is not from Prometheus', () => {
    expect(readPrometheusBody(undefined, 404)).toEqual({ ok: false, message: 'HTTP 404' });
    expect(readPrometheusBody({ hello: 'world' })).toEqual({
      ok: false,
      message: 'answer is not a Prometheus API response',
    });
  });
});
