import { describe, expect, it } from 'vitest';
import { judgeMeasurement, type MetricCriteria } from './judge-measurement.js';

const phaseOf = (criteria: MetricCriteria, value: unknown, sampleSize?: number) =>
  judgeMeasurement(criteria, { value, ...(sampleSize === undefined ? {} : { sampleSize }) }).phase;

describe('judgeMeasurement', () => {
  it('is Successful without criteria', () => {
    expect(judgeMeasurement({}, { value: 42 })).toEqual({ phase: 'Successful' });
  });

  it('fails when the failure condition holds and passes otherwise', () => {
    const criteria = { failureCondition: 'result > 0.05' };
    expect(judgeMeasurement(criteria, { value: 0.2 })).toEqual({
      phase: 'Failed',
      message: "failureCondition 'result > 0.05' is true for 0.2",
    });
    expect(phaseOf(criteria, 0.01)).toBe('Successful');
  });

  it('fails when a lone success condition is false', () => {
    const criteria = { successCondition: 'result.p99 <= 250 && result.count >= 100' };
    expect(phaseOf(criteria, { p99: 240, count: 120 })).toBe('Successful');
    expect(judgeMeasurement(criteria, { value: { p99: 300, count: 120 } })).toEqual({
      phase: 'Failed',
      message:
        'successCondition \'result.p99 <= 250 && result.count >= 100\' is false for {"p99":300,"count":120}',
    });
  });

  it('is Inconclusive when both conditions are given and neither holds (Argo Rollouts)', () => {
    const criteria = { successCondition: 'result < 0.01', failureCondition: 'result > 0.05' };
    expect(phaseOf(criteria, 0.005)).toBe('Successful');
    expect(phaseOf(criteria, 0.1)).toBe('Failed');
    expect(phaseOf(criteria, 0.03)).toBe('Inconclusive');
  });

  it('lets the failure condition win when both hold', () => {
    expect(phaseOf({ successCondition: 'result > 1', failureCondition: 'result > 2' }, 3)).toBe(
      'Failed',
    );
  });

  it('checks min and max inclusively', () => {
    expect(phaseOf({ min: 0.9, max: 1 }, 0.9)).toBe('Successful');
    expect(phaseOf({ min: 0.9, max: 1 }, 1)).toBe('Successful');
    expect(judgeMeasurement({ min: 0.9 }, { value: 0.8 })).toEqual({
      phase: 'Failed',
      message: '0.8 is below min 0.9',
    });
    expect(judgeMeasurement({ max: 0.01 }, { value: 0.03 })).toEqual({
      phase: 'Failed',
      message: '0.03 is above max 0.01',
    });
  });

  it('treats no data against min/max as Inconclusive and a non-number as Error', () => {
    expect(judgeMeasurement({ max: 0.01 }, { value: null })).toEqual({
      phase: 'Inconclusive',
      message: 'no data',
    });
    expect(phaseOf({ max: 0.01 }, { rate: 0.2 })).toBe('Error');
    expect(phaseOf({ max: 0.01 }, Number.NaN)).toBe('Error');
  });

  it('is Inconclusive below the minimum sample size even for a value that would pass or fail', () => {
    const criteria = { max: 0.01, minSampleSize: 100 };
    expect(judgeMeasurement(criteria, { value: 0, sampleSize: 12 })).toEqual({
      phase: 'Inconclusive',
      message: '12 samples, fewer than the 100 needed',
      tooFewSamples: true,
    });
    expect(judgeMeasurement({ max: 0.01 }, { value: null })).not.toHaveProperty('tooFewSamples');
    expect(phaseOf(criteria, 0.5, 12)).toBe('Inconclusive');
    expect(phaseOf(criteria, 0, undefined)).toBe('Inconclusive');
    expect(phaseOf(criteria, 0, 100)).toBe('Successful');
    expect(phaseOf(criteria, 0.5, 100)).toBe('Failed');
  });

  it('reports a condition that does not parse as Error, whatever the sample size', () => {
    expect(
      judgeMeasurement({ successCondition: 'result =< 1', minSampleSize: 10 }, { value: 1 }),
    ).toEqual({
      phase: 'Error',
      message: "successCondition 'result =< 1': unexpected '=': use '==' to compare at column 8",
    });
  });

  it('reports evaluation errors and non-boolean conditions as Error', () => {
    expect(
      judgeMeasurement({ successCondition: 'result.p99 < 250' }, { value: { p50: 3 } }),
    ).toEqual({
      phase: 'Error',
      message:
        "successCondition 'result.p99 < 250': no field 'p99' (fields: p50) at column 8 (result = {\"p50\":3})",
    });
    expect(judgeMeasurement({ successCondition: 'result * 2' }, { value: 3 })).toEqual({
      phase: 'Error',
      message: "successCondition 'result * 2' gave 6, not true or false",
    });
  });

  it('lets a range failure outrank a condition error', () => {
    expect(phaseOf({ successCondition: 'result.x > 1', max: 1 }, 5)).toBe('Failed');
  });
});
