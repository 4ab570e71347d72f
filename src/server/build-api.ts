import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { renderError } from './render-error.js';
import { trackRoutes } from './route-table.js';
import type { ZodApp } from './zod-app.js';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * A Fastify app with zod validation, Ferry's error rendering, authentication, `/openapi.json`,
 * `/healthz` and `/readyz`. Features add their routes in `register` before the app is ready.
 */
export async function buildApi(options: {
  readonly logger: Logger;
  readonly isReady: () => boolean;
  /** Served as Prometheus text at `/metrics` when given. */
  readonly registry?: Registry;
  readonly register: (app: ZodApp) => void;
  /**
   * Runs first on every request, before the body is read: authentication. A FerryError it
   * throws is rendered like any other (401, 429).
   */
  readonly authenticate?: Hook;
  /**
   * Runs once the body is parsed, before it is validated: the environment scope of the caller's
   * token against the environment a request names (403).
   */
  readonly authorize?: Hook;
  /**
   * The audit log: `before` runs just before a handler (preHandler), `record` before every
   * answer is sent, refusals too (onSend).
   */
  readonly audit?: {
    readonly before: (request: FastifyRequest) => Promise<void>;
    readonly record: (
      request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
    ) => Promise<void>;
  };
}): Promise<ZodApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>() as unknown as ZodApp;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(renderError);
  trackRoutes(app);
  if (options.authenticate) app.addHook('onRequest', options.authenticate);
  if (options.authorize) app.addHook('preValidation', options.authorize);
  const audit = options.audit;
  if (audit) {
    app.addHook('preHandler', audit.before);
    app.addHook('onSend', async (request, reply, payload) => {
      await audit.record(request, reply, payload);
      return payload;
    });
  }
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url}` },
    }),
  );
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ferry API',
        version: '1',
        description: 'Deployments, rollbacks, instances and the event log of a Ferry server.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      options.isReady()
        ? reply.send({ status: 'ready' })
        : reply.status(503).send({ error: { code: 'not_ready', message: 'starting' } }),
  );
  app.get('/openapi.json', { config: { permission: 'read' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  const registry = options.registry;
  if (registry) {
    app.get(
      '/metrics',
      { config: { permission: 'public' }, schema: { hide: true } },
      async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    );
  }

  options.register(app);
  await app.ready();
  return app;
}
