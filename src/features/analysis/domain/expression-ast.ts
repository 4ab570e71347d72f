/** Functions a condition may call; anything else is a syntax error. */
export const expressionFunctions = ['len', 'abs', 'min', 'max'] as const;
export type ExpressionFunction = (typeof expressionFunctions)[number];

export const arithmeticOperators = ['+', '-', '*', '/'] as const;
export const comparisonOperators = ['<', '<=', '>', '>=', '==', '!='] as const;
export const logicalOperators = ['&&', '||'] as const;

export type ArithmeticOperator = (typeof arithmeticOperators)[number];
export type ComparisonOperator = (typeof comparisonOperators)[number];
export type LogicalOperator = (typeof logicalOperators)[number];
export type BinaryOperator = ArithmeticOperator | ComparisonOperator | LogicalOperator;

/**
 * Syntax tree of an analysis condition. Every node keeps the 1-based column where it starts so
 * that runtime errors can point at the part of the condition that failed.
 */
export type Expression =
  | {
      readonly kind: 'literal';
      readonly value: number | string | boolean | null;
      readonly column: number;
    }
  | { readonly kind: 'identifier'; readonly name: string; readonly column: number }
  | {
      readonly kind: 'member';
      readonly object: Expression;
      readonly property: string;
      readonly column: number;
    }
  | {
      readonly kind: 'index';
      readonly object: Expression;
      readonly index: Expression;
      readonly column: number;
    }
  | {
      readonly kind: 'call';
      readonly callee: ExpressionFunction;
      readonly args: readonly Expression[];
      readonly column: number;
    }
  | {
      readonly kind: 'unary';
      readonly operator: '!' | '-';
      readonly operand: Expression;
      readonly column: number;
    }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly column: number;
    };
