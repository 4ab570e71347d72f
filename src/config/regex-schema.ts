import { z } from 'zod';
import { expecting } from './describe-value.js';

const valueError = expecting('a string (quote numbers and booleans, e.g. "1")');

/** A string value; numbers and booleans must be quoted so that `1` and `"1"` never differ. */
export const stringValueSchema = z.string({ error: valueError });

/** JavaScript RegExp source; a pattern that does not compile is reported where it is written. */
export const regexSchema = stringValueSchema.check((ctx) => {
  try {
    new RegExp(ctx.value);
  } catch (error) {
    // V8 says `Invalid regular expression: /(/: Unterminated group`; the reason is the last part.
    const reason = String((error as Error).message)
      .split(': ')
      .at(-1);
    const message = `${expecting('a valid regular expression')({ input: ctx.value })}: ${reason}`;
    ctx.issues.push({ code: 'custom', message, input: ctx.value });
  }
});
