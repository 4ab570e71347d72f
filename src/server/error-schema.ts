import { z } from 'zod';

/** Body of every 4xx/5xx answer: `{ error: { code, message, details? } }`. */
export const errorSchema = z
  .object({
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        details: z
          .array(
            z.object({ path: z.string(), message: z.string(), location: z.string().optional() }),
          )
          .optional(),
      })
      .catchall(z.unknown()),
  })
  .meta({ id: 'Error' });

export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  429: errorSchema,
} as const;
