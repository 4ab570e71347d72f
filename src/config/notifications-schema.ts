import { z } from 'zod';
import { expecting, expectingMap } from './describe-value.js';
import type { NotificationsConfig } from './ferry-config.js';
import { headersSchema, httpUrlSchema } from './http-primitives.js';

const webhookSchema = z.strictObject(
  { url: httpUrlSchema, headers: headersSchema },
  { error: expectingMap('a webhook such as { url: http://127.0.0.1:9000/hook }') },
);

/** `notifications`: where Ferry tells people a rollout was aborted or rolled back. */
export const notificationsSchema = z
  .strictObject(
    {
      webhooks: z
        .array(webhookSchema, { error: expecting('a list of webhooks such as - url: http://...') })
        .default([]),
    },
    { error: expectingMap('a map such as { webhooks: [...] }') },
  )
  .transform(({ webhooks }): NotificationsConfig => ({ webhooks }));
