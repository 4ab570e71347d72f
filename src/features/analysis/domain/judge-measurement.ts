import { evaluate } from './evaluate-expression.js';
import { ExpressionError } from './expression-error.js';
import type { Expression } from './expression-ast.js';
import { parseExpression } from './expression.js';
import type { MeasurementPhase } from './measurement.js';

/** How one metric's values are judged; every field is optional. */
export interface MetricCriteria {
  /** Condition over `result` that a good value satisfies, e.g. `result.p99 <= 250`. */
  readonly successCondition?: string;
  /** Condition over `result` that a bad value satisfies, e.g. `result > 0.05`. */
  readonly failureCondition?: string;
  /** Smallest acceptable value (inclusive); the value must be a number. */
  readonly min?: number;
  /** Largest acceptable value (inclusive); the value must be a number. */
  readonly max?: number;
  /** Fewer observations than this cannot be trusted either way: the measurement is Inconclusive. */
  readonly minSampleSize?: number;
}

/** What a provider returned: a number, an object or list for conditions, or `null` for no data. */
export interface Observation {
  readonly value: unknown;
  readonly sampleSize?: number;
}

/** The phase of one measurement and, unless it is Successful, why. */
export interface Judgement {
  readonly phase: MeasurementPhase;
  readonly message?: string;
  /**
   * Inconclusive only because it had fewer samples than `minSampleSize`: not yet a verdict, the
   * measurement may be taken again once more traffic came (see `AnalysisRunner`).
   */
  readonly tooFewSamples?: true;
}

type ConditionName = 'successCondition' | 'failureCondition';
type Conditions = Partial<
  Record<ConditionName, { readonly text: string; readonly ast: Expression }>
>;

/** A value as messages show it: numbers to 4 significant digits (0.1111, not 0.1111111111111111). */
function show(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value))
    return String(Number(value.toPrecision(4)));
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Parses both conditions, or returns the Error judgement for the first that does not parse. */
function parseConditions(criteria: MetricCriteria): Conditions | Judgement {
  const conditions: Conditions = {};
  for (const name of ['failureCondition', 'successCondition'] as const) {
    const text = criteria[name];
    if (text === undefined) continue;
    const parsed = parseExpression(text);
    if (!parsed.ok) {
      const { message, column } = parsed.error;
      return { phase: 'Error', message: `${name} '${text}': ${message} at column ${column}` };
    }
    conditions[name] = { text, ast: parsed.ast };
  }
  return conditions;
}

/** Evaluates one condition to true/false, or returns the Error judgement saying why it could not. */
function check(
  name: ConditionName,
  condition: { readonly text: string; readonly ast: Expression } | undefined,
  result: unknown,
): boolean | undefined | Judgement {
  if (condition === undefined) return undefined;
  const where = `${name} '${condition.text}'`;
  try {
    const outcome = evaluate(condition.ast, { result });
    if (typeof outcome === 'boolean') return outcome;
    return { phase: 'Error', message: `${where} gave ${show(outcome)}, not true or false` };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return {
      phase: 'Error',
      message: `${where}: ${error.message} at column ${error.column} (result = ${show(result)})`,
    };
  }
}

/** Argo Rollouts' rule: with both conditions, a value that meets neither is Inconclusive. */
function judgeConditions(conditions: Conditions, result: unknown): Judgement {
  const { successCondition, failureCondition } = conditions;
  const failed = check('failureCondition', failureCondition, result);
  if (typeof failed === 'object') return failed;
  const succeeded = check('successCondition', successCondition, result);
  if (typeof succeeded === 'object') return succeeded;
  if (failed === true) {
    const message = `failureCondition '${failureCondition?.text}' is true for ${show(result)}`;
    return { phase: 'Failed', message };
  }
  if (succeeded === false) {
    if (failed === false) {
      return { phase: 'Inconclusive', message: `neither condition holds for ${show(result)}` };
    }
    const message = `successCondition '${successCondition?.text}' is false for ${show(result)}`;
    return { phase: 'Failed', message };
  }
  return { phase: 'Successful' };
}

function judgeRange(criteria: MetricCriteria, value: unknown): Judgement {
  const { min, max } = criteria;
  if (min === undefined && max === undefined) return { phase: 'Successful' };
  if (value === null || value === undefined) return { phase: 'Inconclusive', message: 'no data' };
  if (typeof value !== 'number' || Number.isNaN(value)) {
    return { phase: 'Error', message: `min/max need a number, got ${show(value)}` };
  }
  if (min !== undefined && value < min) {
    return { phase: 'Failed', message: `${show(value)} is below min ${min}` };
  }
  if (max !== undefined && value > max) {
    return { phase: 'Failed', message: `${show(value)} is above max ${max}` };
  }
  return { phase: 'Successful' };
}

/** When conditions and range disagree, the more severe verdict stands. */
const severity: readonly MeasurementPhase[] = ['Failed', 'Error', 'Inconclusive', 'Successful'];

/**
 * Judges one value against a metric's criteria, the way Argo Rollouts judges a measurement:
 *
 * - a condition that does not parse → Error, before anything else (it is a configuration mistake);
 * - fewer samples than `minSampleSize`, or an unknown count when one is required → Inconclusive
 *   with `tooFewSamples`, whatever the value says: a handful of requests can neither pass nor
 *   fail a release;
 * - `failureCondition` true → Failed; `successCondition` false → Failed when it stands alone,
 *   Inconclusive when a `failureCondition` is also given and neither holds;
 * - a value outside `[min, max]` (inclusive) → Failed; no value (`null`) with `min`/`max` →
 *   Inconclusive;
 * - a condition that cannot be evaluated, or `min`/`max` on a non-number → Error;
 * - otherwise, including no criteria at all → Successful.
 *
 * Conditions see the value as `result`. When they and `min`/`max` disagree the worse verdict
 * stands: Failed, then Error, then Inconclusive.
 *
 * @example judgeMeasurement({ max: 0.01 }, { value: 0.03, sampleSize: 500 })
 * // { phase: 'Failed', message: '0.03 is above max 0.01' }
 */
export function judgeMeasurement(criteria: MetricCriteria, observation: Observation): Judgement {
  const conditions = parseConditions(criteria);
  if ('phase' in conditions) return conditions;
  const { value, sampleSize } = observation;
  const { minSampleSize } = criteria;
  if (minSampleSize !== undefined && (sampleSize === undefined || sampleSize < minSampleSize)) {
    const had = sampleSize === undefined ? 'an unknown number of' : `${sampleSize}`;
    return {
      phase: 'Inconclusive',
      message: `${had} samples, fewer than the ${minSampleSize} needed`,
      tooFewSamples: true,
    };
  }
  const verdicts = [judgeConditions(conditions, value), judgeRange(criteria, value)];
  for (const phase of severity) {
    const found = verdicts.find((verdict) => verdict.phase === phase);
    if (found !== undefined) return found;
  }
  return { phase: 'Successful' };
}
