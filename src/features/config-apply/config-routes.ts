import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponses, errorSchema } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { ConfigApplyService } from './config-apply-service.js';
import { targetActions } from './domain/apply-plan.js';

const applyBody = z.object({
  /** The ferry.yaml text. */
  text: z.string(),
  /** Its name in `file:line:col`; default `ferry.yaml`. */
  file: z.string().min(1).default('ferry.yaml'),
  prune: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

const target = { service: z.string(), environment: z.string() };
const fieldsOf = z.object({ name: z.string(), fields: z.array(z.string()) });

const applyResultSchema = z
  .object({
    file: z.string(),
    applied: z.boolean(),
    dryRun: z.boolean(),
    diff: z.object({
      services: z.object({
        added: z.array(z.string()),
        removed: z.array(z.string()),
        changed: z.array(fieldsOf),
      }),
      environments: z.object({
        added: z.array(z.string()),
        removed: z.array(z.string()),
        changed: z.array(fieldsOf),
      }),
      targetsAdded: z.array(z.object(target)),
      targetsRemoved: z.array(z.object(target)),
      targetsChanged: z.array(
        z.object({ ...target, rollout: z.array(z.string()), next: z.array(z.string()) }),
      ),
      restartNeeded: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
    actions: z.array(
      z.object({
        ...target,
        action: z.enum(targetActions),
        fields: z.array(z.string()),
        deploymentId: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'ApplyResult' });

/**
 * `POST /api/v1/config`: validate a ferry.yaml, answer the difference, and apply it unless
 * `dryRun`. 422 with every located problem when it does not validate; 409 when it removes a
 * running service without `prune`, or changes what needs a restart. Nothing changes on an error.
 */
export function configRoutes(
  app: ZodApp,
  apply: ConfigApplyService,
  actorOf: (request: FastifyRequest) => string,
) {
  app.post(
    '/api/v1/config',
    {
      config: { permission: 'configure' },
      schema: {
        tags: ['config'],
        summary: 'Apply a new ferry.yaml without a restart',
        body: applyBody,
        response: { 200: applyResultSchema, ...errorResponses, 422: errorSchema },
      },
    },
    async (request) =>
      (await apply.apply(request.body, actorOf(request))) as z.infer<typeof applyResultSchema>,
  );
}
