import { z } from 'zod';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { ArtifactService } from './artifact-service.js';

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

/** Artifact upload (a `.tar.gz` body) and listing. */
export function artifactRoutes(app: ZodApp, artifacts: ArtifactService, actorOf: () => string) {
  app.addContentTypeParser(
    ['application/gzip', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: 512 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );

  app.put(
    '/api/v1/artifacts/:service/:version',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Upload an artifact (.tar.gz); the same bytes again are a no-op',
        params: z.object({ service: name, version }),
        headers: z.object({ 'x-ferry-source-commit': z.string().max(100).optional() }),
        response: { 200: artifactSchema, 201: artifactSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const bytes = request.body;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
        return reply.status(400).send({
          error: {
            code: 'invalid_request',
            message: 'expected a non-empty application/gzip body',
          },
        });
      }
      const { artifact, created } = await artifacts.ingest({
        service: request.params.service,
        version: request.params.version,
        sourceCommit: request.headers['x-ferry-source-commit'] ?? null,
        bytes,
        actor: actorOf(),
      });
      return reply.status(created ? 201 : 200).send(artifact);
    },
  );

  app.get(
    '/api/v1/artifacts/:service',
    {
      schema: {
        tags: ['artifacts'],
        params: z.object({ service: name }),
        response: { 200: z.object({ artifacts: z.array(artifactSchema) }) },
      },
    },
    async (request) => ({ artifacts: [...(await artifacts.list(request.params.service))] }),
  );
}
