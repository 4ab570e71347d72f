import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponses, errorSchema } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { ArtifactCatalog } from './artifact-catalog.js';
import type { ArtifactRetention } from './artifact-retention.js';
import { artifactSchema, artifactViewSchema, collectionSchema } from './artifact-schemas.js';
import type { ArtifactService } from './artifact-service.js';
import { readUpload, UploadBody } from './read-upload.js';
import { metadataFromHeaders, metadataHeaders } from './upload-headers.js';

export { artifactSchema } from './artifact-schemas.js';

const name = z.string().regex(/^[a-z][a-z0-9-]*$/);
const version = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/, 'expected a version label like v1.2.3');

/** What the artifact routes serve from. */
export interface ArtifactFeature {
  readonly artifacts: ArtifactService;
  readonly catalog: ArtifactCatalog;
  readonly retention: ArtifactRetention;
}

/**
 * Artifact upload (a `.tar.gz` body with its build metadata in headers, checked before it is
 * stored), listing and showing with where each ran, and retention (`POST /api/v1/artifacts/gc`).
 */
export function artifactRoutes(
  app: ZodApp,
  { artifacts, catalog, retention }: ArtifactFeature,
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
      // Before the body is read: an upload for a service nobody can deploy is not worth reading,
      // and neither is one whose metadata is refused.
      onRequest: async (request) => {
        const { service } = request.params as { service: string };
        const { environment } = request.query as { environment?: string };
        artifacts.assertUploadTarget(service, environment);
        metadataFromHeaders(request.headers);
      },
      schema: {
        tags: ['artifacts'],
        summary:
          'Upload an artifact (.tar.gz); checked before it is stored; the same bytes again are a no-op (200)',
        params: z.object({ service: name, version }),
        querystring: z.object({
          environment: name
            .optional()
            .describe('The environment this upload is for: refused at once when unknown'),
        }),
        headers: z.object({
          'x-ferry-source-commit': z.string().max(100).optional(),
          [metadataHeaders.branch]: z
            .string()
            .optional()
            .describe('The branch it was built from, percent-encoded'),
          [metadataHeaders.buildUrl]: z
            .string()
            .optional()
            .describe('An http(s) URL of the build, percent-encoded'),
          [metadataHeaders.meta]: z
            .string()
            .optional()
            .describe('A JSON object of string values: at most 32 keys, values of 512 characters'),
        }),
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
      const body = request.body;
      const upload = {
        service: request.params.service,
        version: request.params.version,
        sourceCommit: request.headers['x-ferry-source-commit'] ?? null,
        metadata: metadataFromHeaders(request.headers),
        actor: actorOf(request),
      };
      if (!(body instanceof UploadBody)) {
        // No body at all (or another content type): what an empty upload is.
        const { artifact, created } = await artifacts.ingest({ ...upload, bytes: Buffer.alloc(0) });
        return reply.status(created ? 201 : 200).send(artifact);
      }
      try {
        const { artifact, created } = await artifacts.ingest({ ...upload, bytes: body });
        return await reply.status(created ? 201 : 200).send(artifact);
      } catch (error) {
        await body.drain();
        throw error;
      }
    },
  );

  app.get(
    '/api/v1/artifacts/:service',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['artifacts'],
        summary: "A service's artifacts, newest first, each with where it ran and its gates",
        params: z.object({ service: name }),
        response: { 200: z.object({ artifacts: z.array(artifactViewSchema) }) },
      },
    },
    async (request) => ({ artifacts: await catalog.list(request.params.service) }),
  );

  app.get(
    '/api/v1/artifacts/:service/:version',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['artifacts'],
        summary: 'One artifact: where it ran (live or not), its deployments and its gate results',
        params: z.object({ service: name, version }),
        response: { 200: artifactViewSchema, ...errorResponses },
      },
    },
    async (request) => catalog.show(request.params.service, request.params.version),
  );

  app.post(
    '/api/v1/artifacts/gc',
    {
      config: { permission: 'collect' },
      schema: {
        tags: ['artifacts'],
        summary:
          'Delete artifacts beyond artifacts.retention.keep per service, except those live, in a rollback window, in a rollout or promotable',
        body: z.object({
          service: name
            .optional()
            .describe('Only this service; every service of ferry.yaml otherwise'),
          dryRun: z.boolean().default(false).describe('Say what would go and change nothing'),
        }),
        response: { 200: collectionSchema, ...errorResponses },
      },
    },
    async (request) =>
      retention.collect({
        ...(request.body.service !== undefined ? { service: request.body.service } : {}),
        dryRun: request.body.dryRun,
        actor: actorOf(request),
      }),
  );
}
