import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate-expression.js';
import { ExpressionError } from './expression-error.js';
import { parseExpression } from './expression.js';
import type { Expression } from './expression-ast.js';

function parsed(text: string): Expression {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message} at ${result.error.column}`);
  return result.ast;
}

function run(text: string, scope: Record<string, unknown>): unknown {
  return evaluate(parsed(text), scope);
}

function failure(text: string): { message: string; column: number } {
  const result = parseExpression(text);
  if (result.ok) throw new Error(`${text} parsed`);
  return result.error;
}

function runtimeError(text: string, scope: Record<string, unknown>): ExpressionError {
  try {
    run(text, scope);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`${text} evaluated without error`);
}

describe('parseExpression and evaluate', () => {
  it.each([
    ['result < 0.01', { result: 0.004 }, true],
    ['result < 0.01', { result: 0.02 }, false],
    ['result.p99 <= 250 && result.count >= 100', { result: { p99: 240, count: 150 } }, true],
    ['result.p99 <= 250 && result.count >= 100', { result: { p99: 240, count: 99 } }, false],
    ['result >= 0.95 || len(result) == 0', { result: 0.97 }, true],
    ['result >= 0.95 || len(result) == 0', { result: 0.5 }, false],
    ['result >= 0.95 || len(result) == 0', { result: null }, true],
    ['len(result) == 0 || result[0] >= 0.95', { result: [] }, true],
    ['result < 0.01', { result: null }, false],
    ['result > 0.01', { result: null }, false],
    ['"b" > "a"', {}, true],
    ['!(result > 5)', { result: 3 }, true],
    ['result[0] + result[1] * 2', { result: [1, 2] }, 5],
    ['(result[0] + result[1]) * 2', { result: [1, 2] }, 6],
    ['10 - 4 - 3', {}, 3],
    ['12 / 4 / 3', {}, 1],
    ['-2 * 3', {}, -6],
    ['abs(result - 100) < 5', { result: 97 }, true],
    [
      'min(result.a, result.b) == 1 && max(result.a, result.b) == 2',
      { result: { a: 2, b: 1 } },
      true,
    ],
    ['max(result) == 9', { result: [3, 9, 4] }, true],
    ['result["p99"] == 1e3', { result: { p99: 1000 } }, true],
    [
      "result.status == 'ok' && result.ready == true",
      { result: { status: 'ok', ready: true } },
      true,
    ],
    ['result == null', { result: null }, true],
    ['len(result.name) == 3 && len(result) == 1', { result: { name: 'web' } }, true],
    ['"a\\"b" == \'a"b\'', {}, true],
    ['1 < 2 == true', {}, true],
  ])('%s with %j is %j', (text, scope, expected) => {
    expect(run(text, scope)).toEqual(expected);
  });

  it('binds && tighter than ||', () => {
    expect(run('true || false && false', {})).toBe(true);
    expect(run('(true || false) && false', {})).toBe(false);
  });

  it('short-circuits so the right side of || is not evaluated once the left is true', () => {
    expect(run('len(result) == 0 || result[0] < 1', { result: [] })).toBe(true);
    expect(run('len(result) > 0 && result[0] < 1', { result: [] })).toBe(false);
  });

  it.each([
    ['result <', 'expected a value, found end of condition', 9],
    ['result = 1', "unexpected '=': use '==' to compare", 8],
    ['result & 1', "unexpected '&': use '&&' for 'and'", 8],
    ['(result < 1', "expected ')' to close '(' at column 1, found end of condition", 12],
    ['result < 1 < 2', "comparisons cannot be chained: write 'a < b && b < c'", 12],
    ['foo(result)', "unknown function 'foo': use one of len, abs, min, max", 1],
    ['len(result, 2)', 'len() takes 1 argument, got 2', 1],
    ['min()', 'min() takes at least 1 arguments, got 0', 1],
    ['result.', "expected a field name after '.', found end of condition", 8],
    ['result 1', 'expected an operator or the end, found number 1', 8],
    ["'open", 'unterminated string', 1],
    ['result # 1', "unexpected '#'", 8],
    ['', 'expected a value, found end of condition', 1],
    ['result == [1]', "expected a value, found '['", 11],
  ])('rejects %j: %s at column %i', (text, message, column) => {
    expect(failure(text)).toEqual({ message, column });
  });

  it.each([
    ['reslt < 1', { result: 1 }, "unknown identifier 'reslt' (known: result)", 1],
    ['result.p95 < 1', { result: { p99: 1 } }, "no field 'p95' (fields: p99)", 8],
    ['result + 1 > 2', { result: 'x' }, "'+' needs numbers, got a string and a number", 8],
    [
      'result < 1',
      { result: 'x' },
      "'<' needs two numbers or two strings, got a string and a number",
      8,
    ],
    [
      'result >= 1',
      { result: [] },
      "'>=' needs two numbers or two strings, got a list and a number",
      8,
    ],
    ['result - 1 < 0', { result: null }, "'-' needs numbers, got null and a number", 8],
    [
      'result == 1',
      { result: { a: 1 } },
      "'==' compares numbers, strings, booleans and null, got an object and a number",
      8,
    ],
    ['result[3] < 1', { result: [1] }, 'index 3 is out of range for a list of 1', 7],
    ['!result', { result: 1 }, "'!' needs true or false, got a number", 1],
    ['result && true', { result: 1 }, "'&&' needs true or false, got a number", 8],
    ['result / 0 > 1', { result: 1 }, 'division by zero', 8],
    ['result.constructor', { result: {} }, "no field 'constructor' (fields: none)", 8],
    ['toString', {}, "unknown identifier 'toString' (known: none)", 1],
  ])('throws for %j with %j: %s', (text, scope, message, column) => {
    const error = runtimeError(text, scope);
    expect(error.message).toBe(message);
    expect(error.column).toBe(column);
  });

  it('refuses conditions long enough to exhaust the stack', () => {
    const nested = `${'('.repeat(20_000)}1${')'.repeat(20_000)}`;
    expect(failure(nested)).toEqual({
      message: 'condition is too long: at most 500 tokens',
      column: 501,
    });
    expect(failure(Array<string>(20_000).fill('1').join(' + ')).column).toBe(1001);
    expect(run(`${'('.repeat(200)}1${')'.repeat(200)}`, {})).toBe(1);
  });

  it('never throws while parsing, and points inside the text or just past it', () => {
    const alphabet = fc.constantFrom(
      ...'result.p99<=>!=&|()[]0123456789 +-*/,"\'lenabsminmax_x'.split(''),
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 30 }).map((chars) => chars.join('')),
        (text) => {
          const result = parseExpression(text);
          if (!result.ok) {
            expect(result.error.column).toBeGreaterThanOrEqual(1);
            expect(result.error.column).toBeLessThanOrEqual(text.length + 1);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
