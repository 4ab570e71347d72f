import { z } from 'zod';
import { NotFoundError } from '../../errors/ferry-error.js';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { InstanceRuntime } from './instance-runtime.js';
import type { InstanceStore } from './instance-store.js';
import { instanceSchema, toInstanceView } from './instance-view.js';

/** Live instances (or all of one deployment) and their logs. */
export function instanceRoutes(app: ZodApp, store: InstanceStore, runtime: InstanceRuntime) {
  app.get(
    '/api/v1/instances',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['instances'],
        querystring: z.object({
          service: z.string().optional(),
          environment: z.string().optional(),
          /** Every instance of this deployment, stopped ones included. */
          deployment: z.string().optional(),
        }),
        response: { 200: z.object({ instances: z.array(instanceSchema) }) },
      },
    },
    async (request) => {
      const { service, environment, deployment } = request.query;
      const live = deployment ? await store.listOfDeployment(deployment) : await store.listLive();
      const wanted = live.filter(
        (i) =>
          (!service || i.service === service) && (!environment || i.environment === environment),
      );
      return { instances: wanted.map((i) => toInstanceView(i, runtime)) };
    },
  );

  app.get(
    '/api/v1/instances/:id/logs',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['instances'],
        summary: 'Last lines of an instance’s stdout and stderr',
        params: z.object({ id: z.string() }),
        querystring: z.object({ lines: z.coerce.number().int().min(1).max(10_000).default(100) }),
        response: {
          200: z.object({ id: z.string(), lines: z.array(z.string()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const instance = await store.get(request.params.id);
      if (!instance) throw new NotFoundError('instance', request.params.id);
      const lines = await runtime.logs(instance.id, request.query.lines);
      return { id: instance.id, lines: [...lines] };
    },
  );
}
