import { FerryError } from '../../../errors/ferry-error.js';

/**
 * A problem with an analysis condition such as `result.p99 <= 250`: a syntax error found by
 * `parseExpression`, or a runtime error found by `evaluate` (an unknown identifier, arithmetic on
 * a string). `column` is 1-based and points into the condition's text.
 *
 * @example new ExpressionError("unknown identifier 'reslt'", 1)
 */
export class ExpressionError extends FerryError {
  readonly column: number;

  constructor(message: string, column: number) {
    super('invalid_config', message, { extra: { column } });
    this.name = 'ExpressionError';
    this.column = column;
  }
}
