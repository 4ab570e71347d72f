import type { GateResult } from './gate-result.js';

export const comparisonOperators = ['>=', '>', '<=', '<', '==', '!='] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

/**
 * One entry of an environment's `require`:
 * - `tests`: the newest report named `tests` passed;
 * - `{ coverage: ">= 80" }`: the newest reported value named `coverage` (from any gate's report)
 *   satisfies the comparison. A report that failed still carries its values.
 */
export type GateRequirement =
  | { readonly kind: 'passed'; readonly gate: string }
  | {
      readonly kind: 'value';
      readonly value: string;
      readonly operator: ComparisonOperator;
      readonly threshold: number;
    };

/** Why a requirement is not met, or that it is. */
export type RequirementCheck =
  | { readonly requirement: GateRequirement; readonly met: true; readonly evidence: GateResult }
  | {
      readonly requirement: GateRequirement;
      readonly met: false;
      /** No report at all (`missing`), or the newest one says no (`failing`). */
      readonly problem: 'missing' | 'failing';
      /** The newest evidence that decided, when there is some. */
      readonly evidence?: GateResult;
      /** For a value requirement: the value that failed it. */
      readonly actual?: number;
    };

const conditionPattern = /^\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** `">= 80"` → `{ operator: '>=', threshold: 80 }`; undefined when it is not one. */
export function parseCondition(
  text: string,
): { operator: ComparisonOperator; threshold: number } | undefined {
  const match = conditionPattern.exec(text);
  if (!match) return undefined;
  return { operator: match[1] as ComparisonOperator, threshold: Number(match[2]) };
}

/** `coverage >= 80`, `tests passed`: a requirement as people read it. */
export function describeRequirement(requirement: GateRequirement): string {
  return requirement.kind === 'passed'
    ? `${requirement.gate} passed`
    : `${requirement.value} ${requirement.operator} ${requirement.threshold}`;
}

export function compare(actual: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case '>=':
      return actual >= threshold;
    case '>':
      return actual > threshold;
    case '<=':
      return actual <= threshold;
    case '<':
      return actual < threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
  }
}

/**
 * Checks each requirement against an artifact's evidence (any order). The newest report decides:
 * a later failure supersedes an earlier pass, and a later pass an earlier failure.
 */
export function checkRequirements(
  requirements: readonly GateRequirement[],
  results: readonly GateResult[],
): RequirementCheck[] {
  const newestFirst = [...results].sort(
    (a, b) => byCodeUnit(b.reportedAt, a.reportedAt) || byCodeUnit(b.id, a.id),
  );
  return requirements.map((requirement): RequirementCheck => {
    if (requirement.kind === 'passed') {
      const evidence = newestFirst.find((r) => r.name === requirement.gate);
      if (!evidence) return { requirement, met: false, problem: 'missing' };
      return evidence.status === 'passed'
        ? { requirement, met: true, evidence }
        : { requirement, met: false, problem: 'failing', evidence };
    }
    // Own keys only: `constructor` or `toString` is not a value every report carries.
    const evidence = newestFirst.find((r) => Object.hasOwn(r.values, requirement.value));
    const actual = evidence?.values[requirement.value];
    if (!evidence || actual === undefined) return { requirement, met: false, problem: 'missing' };
    return compare(actual, requirement.operator, requirement.threshold)
      ? { requirement, met: true, evidence }
      : { requirement, met: false, problem: 'failing', evidence, actual };
  });
}

/** Orders ISO times and ids as the stores do (by code unit), not by the locale's collation. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
