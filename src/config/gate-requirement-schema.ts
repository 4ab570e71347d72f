import { z } from 'zod';
import {
  parseCondition,
  type GateRequirement,
} from '../features/gate-results/domain/gate-requirement.js';
import { expecting } from './describe-value.js';

const gateNamePattern = /^[a-z][a-z0-9_.-]*$/;
const what = 'a gate name such as tests, or a map such as { coverage: ">= 80" }';

/**
 * One entry of an environment's `require`: `tests` (that gate passed) or
 * `{ coverage: ">= 80" }` (the newest reported value named coverage satisfies the condition).
 */
export const gateRequirementSchema = z.unknown().transform((input, ctx): GateRequirement => {
  const fail = (message: string, path: PropertyKey[] = []) => {
    ctx.addIssue({ code: 'custom', message, input, path });
    return z.NEVER;
  };
  if (typeof input === 'string') {
    return gateNamePattern.test(input)
      ? { kind: 'passed', gate: input }
      : fail(`"${input}" is not a gate name: lowercase letters, digits, _, . and -`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail(expecting(what)({ input }));
  }
  const entries = Object.entries(input);
  const [entry] = entries;
  if (entry === undefined || entries.length !== 1) {
    return fail(
      `expected one value and its condition such as { coverage: ">= 80" }, got ${entries.length}; give each its own list item`,
    );
  }
  const [value, text] = entry;
  if (!gateNamePattern.test(value)) {
    return fail(`"${value}" is not a value name: lowercase letters, digits, _, . and -`);
  }
  const condition = typeof text === 'string' ? parseCondition(text) : undefined;
  if (!condition) {
    return fail(
      `${JSON.stringify(text)} is not a condition: write an operator (>=, >, <=, <, ==, !=) and a number in quotes, such as ">= 80"`,
      [value],
    );
  }
  return { kind: 'value', value, ...condition };
});
