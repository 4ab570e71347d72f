import { z } from 'zod';
import { InvalidRequestError } from '../../errors/ferry-error.js';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { Clock } from '../../shared/clock.js';
import type { AuditStore } from './audit-store.js';
import { parseSince, sinceHint } from './domain/since.js';

const json = z.record(z.string(), z.unknown());

export const auditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string(),
    actor: z.string(),
    actorName: z.string().nullable(),
    action: z.string(),
    target: z.record(z.string(), z.string()),
    parameters: json,
    status: z.number(),
    errorCode: z.string().nullable(),
    before: json.nullable(),
    after: json.nullable(),
  })
  .meta({ id: 'AuditEntry' });

/** Reading the audit log. There is no route that edits or deletes it. */
export function auditRoutes(app: ZodApp, store: AuditStore, clock: Clock) {
  app.get(
    '/api/v1/audit',
    {
      config: { permission: 'audit' },
      schema: {
        tags: ['audit'],
        summary: 'Mutating API calls, refused ones too, newest first',
        querystring: z.object({
          actor: z.string().optional().describe('token:<id>, a token name or id, or local'),
          since: z
            .string()
            .optional()
            .describe('a duration back (1h, 30m, 7d) or an ISO-8601 time'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ entries: z.array(auditEntrySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { actor, since, limit } = request.query;
      const from = since === undefined ? undefined : parseSince(since, clock.now());
      if (since !== undefined && from === undefined) {
        throw new InvalidRequestError(`invalid query.since: expected ${sinceHint}`, [
          { path: 'query.since', message: `expected ${sinceHint}` },
        ]);
      }
      const entries = await store.query({
        limit,
        ...(actor === undefined ? {} : { actor }),
        ...(from === undefined ? {} : { since: from }),
      });
      return { entries: [...entries] };
    },
  );
}
