import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { DeployResult, DeploymentService, Target } from './deployment-service.js';
import {
  createDeploymentBody,
  createRollbackBody,
  deployResultSchema,
  deploymentSchema,
  environmentBody,
  serviceNameParams,
  stopResultSchema,
  targetQuery,
  toDeploymentView,
} from './deployment-schemas.js';

/**
 * Deployments and rollbacks: create, get, list; stopping and starting a service. `halt` stops a
 * stopped service's instances and closes its route, and resolves when they are gone.
 */
export function deploymentRoutes(
  app: ZodApp,
  deployments: DeploymentService,
  actorOf: (request: FastifyRequest) => string,
  halt: (target: Target) => Promise<void>,
) {
  app.post(
    '/api/v1/deployments',
    {
      config: { permission: 'deploy' },
      schema: {
        tags: ['deployments'],
        summary: 'Deploy a version of a service to an environment',
        body: createDeploymentBody,
        response: { 200: deployResultSchema, 201: deployResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { service, environment, version, force, emergency } = request.body;
      const result = await deployments.deploy({ service, environment }, version, actorOf(request), {
        force,
        ...(emergency ? { emergency } : {}),
      });
      const flagged = result.noop ? undefined : emergency?.reason;
      return reply.status(result.noop ? 200 : 201).send(toDeployResult(result, flagged));
    },
  );

  app.post(
    '/api/v1/rollbacks',
    {
      config: { permission: 'deploy' },
      schema: {
        tags: ['deployments'],
        summary: 'Redeploy the previous successful artifact, or a named version',
        body: createRollbackBody,
        response: { 200: deployResultSchema, 201: deployResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { service, environment, toVersion, force } = request.body;
      const result = await deployments.rollback(
        { service, environment },
        toVersion,
        actorOf(request),
        { force },
      );
      return reply.status(result.noop ? 200 : 201).send(toDeployResult(result));
    },
  );

  app.post(
    '/api/v1/services/:name/stop',
    {
      config: { permission: 'deploy' },
      schema: {
        tags: ['services'],
        summary: 'Stop every instance of a service in an environment and close its route',
        params: serviceNameParams,
        body: environmentBody,
        response: { 200: stopResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const target = { service: request.params.name, environment: request.body.environment };
      const { stop, version, noop } = await deployments.stop(target, actorOf(request));
      // Answer once it is done: the route is closed and the instances have stopped.
      await halt(target);
      return { ...target, version, stoppedAt: stop.stoppedAt, actor: stop.actor, noop };
    },
  );

  app.post(
    '/api/v1/services/:name/start',
    {
      config: { permission: 'deploy' },
      schema: {
        tags: ['services'],
        summary: 'Start a stopped service again with the version it ran last',
        params: serviceNameParams,
        body: environmentBody,
        response: { 200: deployResultSchema, 201: deployResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const target = { service: request.params.name, environment: request.body.environment };
      const result = await deployments.start(target, actorOf(request));
      return reply.status(result.noop ? 200 : 201).send(toDeployResult(result));
    },
  );

  app.get(
    '/api/v1/deployments',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['deployments'],
        summary: 'History of a service in an environment, newest first',
        querystring: targetQuery,
        response: { 200: z.object({ deployments: z.array(deploymentSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { service, environment, limit } = request.query;
      const list = await deployments.list({ service, environment }, limit);
      const emergencies = await deployments.emergencies(list.map((d) => d.id));
      return { deployments: list.map((d) => toDeploymentView(d, emergencies.get(d.id))) };
    },
  );

  app.get(
    '/api/v1/deployments/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['deployments'],
        params: z.object({ id: z.string() }),
        response: { 200: deploymentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const deployment = await deployments.get(request.params.id);
      const emergencies = await deployments.emergencies([deployment.id]);
      return toDeploymentView(deployment, emergencies.get(deployment.id));
    },
  );
}

/** The API's answer to a deploy, rollback or start; `emergency`: the reason it was forced in. */
function toDeployResult(result: DeployResult, emergency?: string) {
  const { superseded } = result;
  return {
    deployment: toDeploymentView(result.deployment, emergency),
    noop: result.noop,
    ...(superseded ? { superseded: { id: superseded.id, version: superseded.version } } : {}),
  };
}
