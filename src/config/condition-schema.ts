import { z } from 'zod';
import { parseExpression } from '../features/analysis/domain/expression.js';
import { expecting } from './describe-value.js';

/**
 * An analysis condition such as `result < 0.01`, parsed when the config loads so a typo is found
 * before a rollout. The issue carries `params.column` (1-based, inside the condition) so the
 * problem can point into the string.
 */
export const conditionSchema = z
  .string({ error: expecting('a condition such as result < 0.01') })
  .check((ctx) => {
    const parsed = parseExpression(ctx.value);
    if (parsed.ok) return;
    const { message, column } = parsed.error;
    ctx.issues.push({
      code: 'custom',
      message: `invalid condition: ${message} (column ${column})`,
      input: ctx.value,
      params: { column },
    });
  });
