import type { IncomingHttpHeaders } from 'node:http';
import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import { z } from 'zod';
import { FerryError, InvalidRequestError } from '../../errors/ferry-error.js';
import { errorResponses, errorSchema } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import { cdeventIntake } from './domain/cdevent-evidence.js';
import type { GateResultService } from './gate-result-service.js';
import { gateResultSchema } from './gate-result-routes.js';

const structuredType = 'application/cloudevents+json';

/**
 * `POST /api/v1/cdevents`: CDEvents as CloudEvents over HTTP, in structured mode
 * (`content-type: application/cloudevents+json`) or binary mode (`ce-*` headers, JSON data).
 * A `testsuiterun.finished` becomes gate evidence (201); other CDEvents are ignored (202);
 * anything else is refused (400 not a CloudEvent, 422 a type or content Ferry cannot use).
 */
export function cdeventRoutes(app: ZodApp, gates: GateResultService) {
  app.addContentTypeParser(structuredType, { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/api/v1/cdevents',
    {
      config: { permission: 'publish' },
      schema: {
        tags: ['gates'],
        summary:
          'Take in a CDEvent (CloudEvents HTTP, structured or binary): testsuiterun.finished becomes gate evidence',
        body: z.unknown().describe('A CloudEvent carrying a CDEvent'),
        response: {
          201: z.object({ accepted: z.literal('evidence'), gate: gateResultSchema }),
          202: z.object({ accepted: z.literal('ignored'), type: z.string(), reason: z.string() }),
          ...errorResponses,
          422: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const event = cloudEventOf(request.headers, request.body);
      const intake = cdeventIntake({ type: event.type, source: event.source, data: event.data });
      if (intake.kind === 'ignored') {
        return reply
          .status(202)
          .send({ accepted: 'ignored' as const, type: event.type, reason: intake.reason });
      }
      if (intake.kind === 'unprocessable') {
        throw new FerryError('unprocessable_event', intake.message, {
          extra: { reason: intake.reason, type: event.type },
        });
      }
      const gate = await gates.report(intake.report);
      return reply.status(201).send({ accepted: 'evidence' as const, gate });
    },
  );
}

/** Reads and checks a CloudEvent with the CloudEvents SDK; 400 when it is not a valid one. */
function cloudEventOf(headers: IncomingHttpHeaders, body: unknown): CloudEvent<unknown> {
  try {
    const parsed = HTTP.toEvent({ headers: sdkHeaders(headers), body });
    if (Array.isArray(parsed)) {
      throw new InvalidRequestError('send one CloudEvent per request, not a batch');
    }
    const event = parsed instanceof CloudEvent ? parsed : new CloudEvent(parsed, false);
    event.validate();
    return event;
  } catch (error) {
    if (error instanceof FerryError) throw error;
    if (error instanceof ValidationError || error instanceof SyntaxError) {
      const problems = error instanceof ValidationError ? (error.errors ?? []) : [];
      throw new InvalidRequestError(`not a valid CloudEvent: ${error.message}`, [
        ...problems.map((p) => ({ path: 'body', message: describe(p) })),
      ]);
    }
    throw error;
  }
}

/**
 * Header values as the SDK reads them: single strings, and a content type without parameters
 * (it looks parsers up by the bare media type).
 */
function sdkHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const contentType = flat['content-type'];
  if (contentType !== undefined) {
    flat['content-type'] = contentType.split(';')[0]!.trim().toLowerCase();
  }
  return flat;
}

function describe(problem: unknown): string {
  if (typeof problem === 'string') return problem;
  const { instancePath, message } = problem as { instancePath?: string; message?: string };
  return `${instancePath || '/'} ${message ?? 'is invalid'}`.trim();
}
