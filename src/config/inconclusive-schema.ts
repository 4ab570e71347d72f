import { z } from 'zod';
import { durationSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { InconclusiveConfig } from './ferry-config.js';

const actions = ['abort', 'promote'] as const satisfies readonly InconclusiveConfig['action'][];

/**
 * `inconclusive`: an Inconclusive analysis pauses the rollout; after `timeout` Ferry takes
 * `action`, and without one it waits for a person.
 */
export const inconclusiveSchema = z
  .strictObject(
    {
      timeout: durationSchema.optional(),
      action: z
        .enum(actions, { error: expecting(`one of ${actions.join(', ')}`) })
        .default('abort'),
    },
    { error: expectingMap('a map such as { timeout: 10m, action: abort }') },
  )
  .transform(({ timeout, action }): InconclusiveConfig => ({ timeoutMs: timeout ?? null, action }));
