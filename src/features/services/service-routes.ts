import { z } from 'zod';
import type { FerryConfig } from '../../config/ferry-config.js';
import { NotFoundError } from '../../errors/ferry-error.js';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import { deploymentSchema, toDeploymentView } from '../deployments/deployment-schemas.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import { effectiveService } from '../deployments/domain/effective-service.js';
import type { InstanceRuntime } from '../instances/instance-runtime.js';
import type { InstanceStore } from '../instances/instance-store.js';
import { instanceSchema, toInstanceView } from '../instances/instance-view.js';

const serviceStatusSchema = z
  .object({
    name: z.string(),
    environments: z.array(
      z.object({
        environment: z.string(),
        /** Where the service's router listens in this environment. */
        listen: z.string().nullable(),
        replicas: z.number(),
        live: deploymentSchema.nullable(),
        active: deploymentSchema.nullable(),
        /** Set while a person has it stopped (`ferry stop`): nothing runs, the route is closed. */
        stopped: z.object({ stoppedAt: z.string(), actor: z.string() }).nullable(),
        instances: z.array(instanceSchema),
      }),
    ),
  })
  .meta({ id: 'ServiceStatus' });

/** Services and environments from ferry.yaml, with what runs where. */
export function serviceRoutes(
  app: ZodApp,
  configs: { readonly current: FerryConfig },
  deployments: DeploymentService,
  instances: InstanceStore,
  runtime: InstanceRuntime,
) {
  const status = async (name: string) => {
    const config = configs.current;
    const service = config.services[name];
    if (!service) throw new NotFoundError('service', name);
    const environments = [];
    for (const { name: environment } of config.environments) {
      const target = { service: name, environment };
      const listen = service.routes[environment];
      const live = await deployments.live(target);
      const active = await deployments.active(target);
      const stop = await deployments.stopOf(target);
      environments.push({
        environment,
        listen: listen ? `${listen.host}:${listen.port}` : null,
        replicas: effectiveService(service, environment).replicas,
        live: live ? toDeploymentView(live) : null,
        active: active ? toDeploymentView(active) : null,
        stopped: stop ? { stoppedAt: stop.stoppedAt, actor: stop.actor } : null,
        instances: (await instances.listLive(target)).map((i) => toInstanceView(i, runtime)),
      });
    }
    return { name, environments };
  };

  app.get(
    '/api/v1/environments',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['services'],
        summary: 'Environments in promotion order',
        response: { 200: z.object({ environments: z.array(z.object({ name: z.string() })) }) },
      },
    },
    async () => ({ environments: configs.current.environments.map((e) => ({ name: e.name })) }),
  );

  app.get(
    '/api/v1/services',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['services'],
        response: { 200: z.object({ services: z.array(serviceStatusSchema) }) },
      },
    },
    async () => {
      const services = [];
      for (const name of Object.keys(configs.current.services)) services.push(await status(name));
      return { services };
    },
  );

  app.get(
    '/api/v1/services/:name',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['services'],
        params: z.object({ name: z.string() }),
        response: { 200: serviceStatusSchema, ...errorResponses },
      },
    },
    async (request) => status(request.params.name),
  );
}
