import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponses, errorSchema } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { ArtifactService } from './artifact-service.js';
import { readUpload } from './read-upload.js';

export const artifactSchema = z
  .object({
    service: z.string(),
    version: z.string(),
    digest: z.string(),
    sourceCommit: z.string().nullable(),
    sizeBytes: z.number(),
    createdAt: z.string(),
  })
  .meta({ id: 'Artifact' });

const name = z.string().regex(/^[a-z][a-z0-9-]*$/);
const version = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/, 'expected a version label like v1.2.3');

/** Artifact upload (a `.tar.gz` body, checked before it is stored) and listing. */
export function artifactRoutes(
  app: ZodApp,
  artifacts: ArtifactService,
  actorOf: (request: FastifyRequest) => string,
) {
  app.addContentTypeParser(
    ['application/gzip', 'application/octet-stream'],
    (request: FastifyRequest, payload: IncomingMessage) =>
      readUpload(request.headers, payload, artifacts.limits.maxUploadSize),
  );

  app.put(
    '/api/v1/artifacts/:service/:version',
    {
      config: { permission: 'publish' },
      // Before the body is read: an upload for a service nobody can deploy is not worth reading.
      onRequest: async (request) => {
        const { service } = request.params as { service: string };
        const { environment } = request.query as { environment?: string };
        artifacts.assertUploadTarget(service, environment);
      },
      schema: {
        tags: ['artifacts'],
        summary:
          'Upload an artifact (.tar.gz); checked before it is stored; the same bytes again are a no-op',
        params: z.object({ service: name, version }),
        querystring: z.object({
          environment: name
            .optional()
            .describe('The environment this upload is for: refused at once when unknown'),
        }),
        headers: z.object({ 'x-ferry-source-commit': z.string().max(100).optional() }),
        response: {
          200: artifactSchema,
          201: artifactSchema,
          ...errorResponses,
          413: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const bytes = request.body;
      const { artifact, created } = await artifacts.ingest({
        service: request.params.service,
        version: request.params.version,
        sourceCommit: request.headers['x-ferry-source-commit'] ?? null,
        bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.alloc(0),
        actor: actorOf(request),
      });
      return reply.status(created ? 201 : 200).send(artifact);
    },
  );

  app.get(
    '/api/v1/artifacts/:service',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['artifacts'],
        params: z.object({ service: name }),
        response: { 200: z.object({ artifacts: z.array(artifactSchema) }) },
      },
    },
    async (request) => ({ artifacts: [...(await artifacts.list(request.params.service))] }),
  );
}
