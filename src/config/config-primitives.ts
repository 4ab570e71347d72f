import { z } from 'zod';
import { expecting } from './describe-value.js';
import { parseDuration } from './duration.js';

const namePattern = /^[a-z][a-z0-9-]*$/;
const nameError = expecting(`a name matching ${namePattern.source} such as web or prod`);

/** Environment and service names: lowercase letters, digits and `-`, starting with a letter. */
export const nameSchema = z.string({ error: nameError }).regex(namePattern, { error: nameError });

const durationError = expecting('a duration such as 500ms, 10s or 5m');

/** A duration written `500ms`, `10s`, `5m` or `2h`, resolved to milliseconds. */
export const durationSchema = z.string({ error: durationError }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: 'custom', message: durationError({ input: text }), input: text });
  return z.NEVER;
});

/** An integer no smaller than `min`, with a message that says so (or says `what`). */
export function countSchema(min: number, what = `an integer >= ${min}`) {
  const error = expecting(what);
  return z.int({ error }).min(min, { error });
}

const amountText = 'an integer >= 0 or a percentage such as 25%';
const amountError = expecting(amountText);

/** `maxSurge`/`maxUnavailable`: an instance count or a percentage of replicas (0–100%). */
export const rollingAmountSchema = z.union(
  [
    countSchema(0, amountText).transform((n): number | `${number}%` => n),
    z
      .string({ error: amountError })
      .regex(/^(100|[1-9]?\d)%$/, { error: amountError })
      .transform((s) => s as `${number}%`),
  ],
  { error: amountError },
);

/** Whether a rolling amount means zero instances, written `0` or `0%`. */
export function isZeroAmount(amount: number | string): boolean {
  return amount === 0 || amount === '0%';
}

const percentText = 'a number from 0 to 100 with at most one decimal';
const percentError = expecting(percentText);

/** A traffic weight or share of replicas: 0–100 with at most one decimal, such as 10 or 12.5. */
export const percentSchema = z
  .number({ error: percentError })
  .min(0, { error: percentError, abort: true })
  .max(100, { error: percentError, abort: true })
  .refine((n) => /^\d+(\.\d)?$/.test(String(n)), { error: percentError });

// RFC 9110 `token`: what a header or cookie name may contain.
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A header or cookie name, e.g. `tokenSchema('a header name such as x-canary')`. */
export function tokenSchema(what: string) {
  const error = expecting(what);
  return z.string({ error }).regex(tokenPattern, { error });
}
