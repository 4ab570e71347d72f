import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InvalidRequestError } from '../../errors/ferry-error.js';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import { gateNamePattern, maxGateValues } from './domain/gate-report-problems.js';
import { gateStatuses } from './domain/gate-result.js';
import type { GateResultService } from './gate-result-service.js';

export const gateResultSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    version: z.string(),
    digest: z.string().describe('The artifact the evidence is about'),
    name: z.string(),
    status: z.enum(gateStatuses),
    values: z.record(z.string(), z.number()),
    url: z.string().nullable(),
    reporter: z.string().describe('token:<id>, local, or cdevents:<source>'),
    reportedAt: z.string(),
  })
  .meta({ id: 'GateResult' });

export const listedGateResultSchema = gateResultSchema
  .extend({
    superseded: z.boolean().describe('A newer report of the same gate exists'),
  })
  .meta({ id: 'ListedGateResult' });

const service = z.string().regex(/^[a-z][a-z0-9-]*$/);
const version = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/, 'expected a version label like v1.2.3');
const params = z.object({ service, version });

const reportBody = z.object({
  name: z
    .string()
    .regex(gateNamePattern, 'expected a gate name: lowercase letters, digits, _, . and -')
    .describe('The gate: tests, scan, coverage'),
  status: z.enum(gateStatuses),
  values: z
    .record(z.string(), z.number())
    .optional()
    .describe(`Measured values (at most ${maxGateValues}), such as { "coverage": 83.2 }`),
  url: z.string().optional().describe('Where a person reads the details: an http(s) URL'),
});

/** Gate evidence on an artifact: report (CI) and list (newest first, superseded marked). */
export function gateResultRoutes(
  app: ZodApp,
  gates: GateResultService,
  actorOf: (request: FastifyRequest) => string,
) {
  app.post(
    '/api/v1/artifacts/:service/:version/gates',
    {
      config: { permission: 'publish' },
      schema: {
        tags: ['gates'],
        summary: 'Attach gate evidence (tests passed, coverage=83.2) to an artifact',
        params,
        body: reportBody,
        response: { 201: gateResultSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await inBody(() =>
        gates.report({ ...request.params, ...request.body, reporter: actorOf(request) }),
      );
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/api/v1/artifacts/:service/:version/gates',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['gates'],
        summary: "Every gate report about an artifact's digest, newest first",
        params,
        response: { 200: z.object({ gates: z.array(listedGateResultSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      gates: await gates.list(request.params.service, request.params.version),
    }),
  );
}

/** The service names a report's fields; in this API they are the body's. */
async function inBody<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    const details = error.details.map((d) => ({ ...d, path: `body.${d.path}` }));
    const [first] = details;
    throw new InvalidRequestError(
      first ? `invalid ${first.path}: ${first.message}` : error.message,
      details,
    );
  }
}
