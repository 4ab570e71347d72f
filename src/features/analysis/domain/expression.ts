import {
  expressionFunctions,
  type BinaryOperator,
  type Expression,
  type ExpressionFunction,
} from './expression-ast.js';
import { ExpressionError } from './expression-error.js';
import { tokenize, type Token } from './expression-tokens.js';

/** Outcome of `parseExpression`: a tree to evaluate, or where and why the text is not valid. */
export type ParseResult =
  | { readonly ok: true; readonly ast: Expression }
  | { readonly ok: false; readonly error: { readonly message: string; readonly column: number } };

/** Binding power of each infix operator: higher binds tighter. */
const bindingPower: Readonly<Record<BinaryOperator, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};
const unaryPower = 7;
/** Bounds the parser's and the evaluator's recursion; real conditions use a few dozen tokens. */
export const maxExpressionTokens = 500;
const equalityPower = 3;
const relationalPower = 4;
const keywords: Readonly<Record<string, boolean | null>> = { true: true, false: false, null: null };
/** Fewest and most arguments of each function. */
const arity: Readonly<Record<ExpressionFunction, readonly [number, number]>> = {
  len: [1, 1],
  abs: [1, 1],
  min: [1, Infinity],
  max: [1, Infinity],
};

function describe(token: Token): string {
  switch (token.kind) {
    case 'number':
      return `number ${token.value}`;
    case 'string':
      return `string ${JSON.stringify(token.value)}`;
    case 'identifier':
      return `'${token.name}'`;
    case 'punctuator':
      return `'${token.text}'`;
    case 'end':
      return 'end of condition';
  }
}

function isBinary(text: string): text is BinaryOperator {
  return Object.hasOwn(bindingPower, text);
}

function isFunction(name: string): name is ExpressionFunction {
  return (expressionFunctions as readonly string[]).includes(name);
}

/** Pratt parser over the token list; throws `ExpressionError` at the first problem. */
class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {
    const extra = tokens[maxExpressionTokens];
    if (extra !== undefined && extra.kind !== 'end') {
      throw new ExpressionError(
        `condition is too long: at most ${maxExpressionTokens} tokens`,
        extra.column,
      );
    }
  }

  parse(): Expression {
    const ast = this.expression(0);
    const next = this.peek();
    if (next.kind !== 'end') {
      throw new ExpressionError(
        `expected an operator or the end, found ${describe(next)}`,
        next.column,
      );
    }
    return ast;
  }

  private expression(minPower: number): Expression {
    let left = this.prefix();
    let lastPower = 0;
    for (;;) {
      const next = this.peek();
      if (next.kind !== 'punctuator' || !isBinary(next.text)) return left;
      const operator = next.text;
      const power = bindingPower[operator];
      if (power <= minPower) return left;
      if ((power === equalityPower || power === relationalPower) && power === lastPower) {
        throw new ExpressionError(
          `comparisons cannot be chained: write 'a < b && b < c'`,
          next.column,
        );
      }
      this.position += 1;
      const right = this.expression(power);
      left = { kind: 'binary', operator, left, right, column: next.column };
      lastPower = power;
    }
  }

  private prefix(): Expression {
    const token = this.advance();
    if (token.kind === 'punctuator' && (token.text === '!' || token.text === '-')) {
      const operand = this.expression(unaryPower);
      return { kind: 'unary', operator: token.text, operand, column: token.column };
    }
    return this.postfix(this.primary(token));
  }

  private primary(token: Token): Expression {
    const { column } = token;
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, column };
      case 'identifier': {
        if (Object.hasOwn(keywords, token.name)) {
          return { kind: 'literal', value: keywords[token.name] ?? null, column };
        }
        if (this.peekIs('(')) return this.call(token.name, column);
        return { kind: 'identifier', name: token.name, column };
      }
      case 'punctuator':
        if (token.text === '(') {
          const inner = this.expression(0);
          this.expect(')', `'(' at column ${column}`);
          return inner;
        }
        break;
      case 'end':
        break;
    }
    throw new ExpressionError(`expected a value, found ${describe(token)}`, column);
  }

  private call(name: string, column: number): Expression {
    if (!isFunction(name)) {
      throw new ExpressionError(
        `unknown function '${name}': use one of ${expressionFunctions.join(', ')}`,
        column,
      );
    }
    this.advance();
    const args: Expression[] = [];
    while (!this.peekIs(')')) {
      args.push(this.expression(0));
      if (!this.peekIs(',')) break;
      this.advance();
    }
    this.expect(')', `'${name}(' at column ${column}`);
    const [fewest, most] = arity[name];
    if (args.length < fewest || args.length > most) {
      const wanted = fewest === most ? `${fewest}` : `at least ${fewest}`;
      throw new ExpressionError(
        `${name}() takes ${wanted} argument${fewest === 1 && most === 1 ? '' : 's'}, got ${args.length}`,
        column,
      );
    }
    return { kind: 'call', callee: name, args, column };
  }

  private postfix(start: Expression): Expression {
    let node = start;
    for (;;) {
      const next = this.peek();
      if (next.kind !== 'punctuator') return node;
      if (next.text === '.') {
        this.advance();
        const property = this.advance();
        if (property.kind !== 'identifier') {
          throw new ExpressionError(
            `expected a field name after '.', found ${describe(property)}`,
            property.column,
          );
        }
        node = { kind: 'member', object: node, property: property.name, column: property.column };
      } else if (next.text === '[') {
        this.advance();
        const index = this.expression(0);
        this.expect(']', `'[' at column ${next.column}`);
        node = { kind: 'index', object: node, index, column: next.column };
      } else {
        return node;
      }
    }
  }

  private expect(text: string, opener: string): void {
    const token = this.advance();
    if (token.kind !== 'punctuator' || token.text !== text) {
      throw new ExpressionError(
        `expected '${text}' to close ${opener}, found ${describe(token)}`,
        token.column,
      );
    }
  }

  private peek(): Token {
    return this.tokens[this.position] ?? { kind: 'end', column: 1 };
  }

  private peekIs(text: string): boolean {
    const next = this.peek();
    return next.kind === 'punctuator' && next.text === text;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position += 1;
    return token;
  }
}

/**
 * Parses an analysis condition into a syntax tree, without `eval`: numbers, strings,
 * `true`/`false`/`null`, identifiers with `.field` and `[index]` access, `+ - * /`,
 * `< <= > >= == !=`, `&& || !`, parentheses and the functions `len`, `abs`, `min`, `max`.
 * Comparisons do not chain (`a < b < c` is an error), as in most condition languages.
 *
 * @example parseExpression('result.p99 <= 250 && result.count >= 100')
 * @example parseExpression('result = 1') // { ok: false, error: { message: "unexpected '=': use '==' to compare", column: 8 } }
 */
export function parseExpression(text: string): ParseResult {
  try {
    return { ok: true, ast: new Parser(tokenize(text)).parse() };
  } catch (error) {
    if (error instanceof ExpressionError) {
      return { ok: false, error: { message: error.message, column: error.column } };
    }
    throw error;
  }
}
