import { z } from 'zod';
import { durationSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { SmokeCheck } from './ferry-config.js';
import { httpMethodSchema, statusListSchema } from './http-primitives.js';
import { regexSchema } from './regex-schema.js';

const pathError = expecting('an HTTP path such as /healthz');

/** One `smoke` check: a request to a new instance that must get the expected answer. */
const smokeCheckSchema = z
  .strictObject(
    {
      path: z.string({ error: pathError }).startsWith('/', { error: pathError }),
      method: httpMethodSchema,
      expectStatus: statusListSchema.prefault(200),
      expectBody: regexSchema.optional(),
      timeout: durationSchema.prefault('5s').refine((ms) => ms > 0, {
        error: 'a timeout of 0 would fail every check; give it 1s or more',
      }),
    },
    { error: expectingMap('a check such as { path: /healthz, expectStatus: 200 }') },
  )
  .transform((check): SmokeCheck => ({
    path: check.path,
    method: check.method,
    expectStatus: check.expectStatus,
    ...(check.expectBody === undefined ? {} : { expectBody: check.expectBody }),
    timeoutMs: check.timeout,
  }));

/** A list of `smoke` checks, with no default: an override's, which may be absent. */
export const smokeChecksSchema = z.array(smokeCheckSchema, {
  error: expecting('a list of checks such as - path: /healthz'),
});

/** `smoke`: checks run in order against new instances before they get user traffic. */
export const smokeSchema = smokeChecksSchema.default([]);
