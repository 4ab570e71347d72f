import { z } from 'zod';
import { tokenSchema } from './config-primitives.js';
import { expecting } from './describe-value.js';

const urlError = expecting('an http:// or https:// URL such as http://127.0.0.1:9090');

/** An absolute `http:` or `https:` URL, kept as written. */
export const httpUrlSchema = z.string({ error: urlError }).refine(
  (text) => {
    try {
      return ['http:', 'https:'].includes(new URL(text).protocol);
    } catch {
      return false;
    }
  },
  { error: urlError },
);

/** Methods a check or provider may send, upper case as HTTP writes them. */
export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** An HTTP method, default GET. */
export const httpMethodSchema = z
  .enum(httpMethods, { error: expecting(`one of ${httpMethods.join(', ')}`) })
  .default('GET');

const statusText = 'an HTTP status from 100 to 599, or a list of them such as [200, 204]';
const statusError = expecting(statusText);
const statusSchema = z.int({ error: statusError }).min(100, { error: statusError }).max(599, {
  error: statusError,
});

/** Expected response statuses, written as one status or a non-empty list; resolved to a list. */
export const statusListSchema = z.union(
  [
    statusSchema.transform((status) => [status]),
    z.array(statusSchema, { error: statusError }).min(1, { error: statusError }),
  ],
  { error: statusError },
);

/** Request headers: name → value; values are strings so that a token such as `1` is quoted. */
export const headersSchema = z
  .record(
    tokenSchema('a header name such as authorization'),
    z.string({ error: expecting('a string (quote numbers and booleans, e.g. "1")') }),
    { error: expecting('a map of header names to values') },
  )
  .default({});
