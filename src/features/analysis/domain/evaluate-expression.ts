import {
  comparisonOperators,
  type ArithmeticOperator,
  type ComparisonOperator,
  type Expression,
  type ExpressionFunction,
} from './expression-ast.js';
import { ExpressionError } from './expression-error.js';

/** What a value is, in the words of an error message. */
function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function isComparison(operator: string): operator is ComparisonOperator {
  return (comparisonOperators as readonly string[]).includes(operator);
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberArgument(value: unknown, name: string, column: number): number {
  if (typeof value !== 'number') {
    throw new ExpressionError(`${name}() needs a number, got ${typeName(value)}`, column);
  }
  return value;
}

/** `min(a, b, ...)` and `max(a, b, ...)`, or `min(list)` over a non-empty list of numbers. */
function extreme(name: 'min' | 'max', args: readonly unknown[], column: number): number {
  const values = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (values.length === 0) throw new ExpressionError(`${name}() of an empty list`, column);
  const numbers = values.map((value) => numberArgument(value, name, column));
  return name === 'min' ? Math.min(...numbers) : Math.max(...numbers);
}

function call(name: ExpressionFunction, args: readonly unknown[], column: number): unknown {
  switch (name) {
    case 'len': {
      const [value] = args;
      if (value === null || value === undefined) return 0;
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (isRecord(value)) return Object.keys(value).length;
      return 1;
    }
    case 'abs':
      return Math.abs(numberArgument(args[0], name, column));
    case 'min':
    case 'max':
      return extreme(name, args, column);
  }
}

function member(object: unknown, property: string, column: number): unknown {
  if (!isRecord(object)) {
    throw new ExpressionError(`cannot read '${property}' of ${typeName(object)}`, column);
  }
  if (!Object.hasOwn(object, property)) {
    const known = Object.keys(object).join(', ') || 'none';
    throw new ExpressionError(`no field '${property}' (fields: ${known})`, column);
  }
  return object[property] ?? null;
}

function index(object: unknown, key: unknown, column: number): unknown {
  if (Array.isArray(object)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) {
      throw new ExpressionError(
        `a list index must be a whole number, got ${typeName(key)}`,
        column,
      );
    }
    if (key < 0 || key >= object.length) {
      throw new ExpressionError(
        `index ${key} is out of range for a list of ${object.length}`,
        column,
      );
    }
    return (object[key] as unknown) ?? null;
  }
  if (isRecord(object) && typeof key === 'string') return member(object, key, column);
  throw new ExpressionError(`cannot index ${typeName(object)} with ${typeName(key)}`, column);
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['number', 'string', 'boolean'].includes(typeof value);
}

/** -1, 0 or 1 for two numbers or two strings; NaN when they are unordered (NaN itself). */
function order(left: unknown, right: unknown, operator: string, column: number): number {
  const numbers = typeof left === 'number' && typeof right === 'number';
  const strings = typeof left === 'string' && typeof right === 'string';
  if (!numbers && !strings) {
    throw new ExpressionError(
      `'${operator}' needs two numbers or two strings, got ${typeName(left)} and ${typeName(right)}`,
      column,
    );
  }
  if (left === right) return 0;
  return (left as string) < (right as string) ? -1 : (left as string) > (right as string) ? 1 : NaN;
}

function arithmetic(
  operator: ArithmeticOperator,
  left: unknown,
  right: unknown,
  column: number,
): number {
  if (typeof left !== 'number' || typeof right !== 'number') {
    throw new ExpressionError(
      `'${operator}' needs numbers, got ${typeName(left)} and ${typeName(right)}`,
      column,
    );
  }
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      if (right === 0) throw new ExpressionError('division by zero', column);
      return left / right;
  }
}

function compare(
  operator: ComparisonOperator,
  left: unknown,
  right: unknown,
  column: number,
): boolean {
  if (operator === '==' || operator === '!=') {
    if (!isPrimitive(left) || !isPrimitive(right)) {
      throw new ExpressionError(
        `'${operator}' compares numbers, strings, booleans and null, got ${typeName(left)} and ${typeName(right)}`,
        column,
      );
    }
    return operator === '==' ? left === right : left !== right;
  }
  // No data compares as neither smaller nor larger, so `result >= 0.95 || len(result) == 0`
  // holds when the provider returned nothing; see `evaluate`.
  if (left === null || right === null) return false;
  const sign = order(left, right, operator, column);
  switch (operator) {
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}

function boolean(value: unknown, operator: string, column: number): boolean {
  if (typeof value !== 'boolean') {
    throw new ExpressionError(`'${operator}' needs true or false, got ${typeName(value)}`, column);
  }
  return value;
}

/**
 * Evaluates a parsed condition against a scope such as `{ result: 0.004 }`. Only the scope's own
 * fields are reachable (no prototype, no globals); `&&` and `||` short-circuit, so
 * `len(result) == 0 || result[0] < 0.01` is safe on an empty result.
 *
 * A provider that returns no data gives `result: null`. `len(null)` is 0 and `len` of a single
 * number is 1; `<`, `<=`, `>`, `>=` with a `null` side are false (`== null` tests for it). So
 * `result >= 0.95 || len(result) == 0` passes on no data, `result < 0.01` as a success condition
 * fails on no data, and `result > 0.05` as a failure condition does not fire on no data: pair it
 * with a `minSampleSize` when an empty window must not count as a success.
 *
 * @throws ExpressionError naming the column, for an unknown identifier or field, an index out of
 *   range, arithmetic on anything but numbers, division by zero, or `!`/`&&`/`||` on a non-boolean.
 */
export function evaluate(ast: Expression, scope: Readonly<Record<string, unknown>>): unknown {
  switch (ast.kind) {
    case 'literal':
      return ast.value;
    case 'identifier':
      if (!Object.hasOwn(scope, ast.name)) {
        const known = Object.keys(scope).join(', ') || 'none';
        throw new ExpressionError(`unknown identifier '${ast.name}' (known: ${known})`, ast.column);
      }
      return scope[ast.name] ?? null;
    case 'member':
      return member(evaluate(ast.object, scope), ast.property, ast.column);
    case 'index':
      return index(evaluate(ast.object, scope), evaluate(ast.index, scope), ast.column);
    case 'call':
      return call(
        ast.callee,
        ast.args.map((arg) => evaluate(arg, scope)),
        ast.column,
      );
    case 'unary': {
      const operand = evaluate(ast.operand, scope);
      if (ast.operator === '!') return !boolean(operand, '!', ast.column);
      if (typeof operand !== 'number') {
        throw new ExpressionError(`'-' needs a number, got ${typeName(operand)}`, ast.column);
      }
      return -operand;
    }
    case 'binary': {
      const left = evaluate(ast.left, scope);
      if (ast.operator === '&&' || ast.operator === '||') {
        const decided = boolean(left, ast.operator, ast.column);
        if (decided === (ast.operator === '||')) return decided;
        return boolean(evaluate(ast.right, scope), ast.operator, ast.column);
      }
      const right = evaluate(ast.right, scope);
      return isComparison(ast.operator)
        ? compare(ast.operator, left, right, ast.column)
        : arithmetic(ast.operator, left, right, ast.column);
    }
  }
}
