import { z } from 'zod';
import type { ZodApp } from '../../server/zod-app.js';
import type { FerryEvent } from './event.js';
import type { EventLog } from './event-log.js';

export const eventSchema = z
  .object({
    id: z.number(),
    time: z.string(),
    actor: z.string(),
    kind: z.string(),
    subject: z.string(),
    payload: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Event' });

const eventQuery = z.object({
  after: z.coerce.number().int().min(0).optional(),
  subject: z.string().optional(),
  kind: z.string().optional(),
  /** Only events at or after this time (ISO-8601). */
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  /** `latest`: the last `limit` events (still oldest first); default the first ones. */
  order: z.enum(['first', 'latest']).default('first'),
});

/** The event log: a page at a time, or live as server-sent events. */
export function eventRoutes(app: ZodApp, events: EventLog) {
  app.get(
    '/api/v1/events',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['events'],
        summary: 'Events oldest first; page with `after`, or the last ones with `order=latest`',
        querystring: eventQuery,
        response: { 200: z.object({ events: z.array(eventSchema) }) },
      },
    },
    async (request) => {
      const { after, subject, kind, limit, since, order } = request.query;
      // Stored times are UTC with a Z: compare with the same spelling.
      const from = since === undefined ? undefined : new Date(since).toISOString();
      const query = { after, subjectPrefix: subject, kindPrefix: kind, since: from, limit };
      return {
        events: [...(await events.list({ ...query, latest: order === 'latest' }))],
      };
    },
  );

  app.get(
    '/api/v1/events/stream',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['events'],
        summary: 'Server-sent events; resumes after `Last-Event-ID` or `after`',
        querystring: eventQuery.omit({ limit: true, since: true, order: true }),
      },
    },
    async (request, reply) => {
      const { subject, kind } = request.query;
      const lastId = Number(request.headers['last-event-id'] ?? request.query.after ?? NaN);
      const matches = (e: FerryEvent) =>
        (!subject || e.subject.startsWith(subject)) && (!kind || e.kind.startsWith(kind));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(': ferry events\n\n');
      // Subscribe first, then replay the backlog; the cursor drops anything already sent.
      let cursor = Number.isFinite(lastId) ? lastId : undefined;
      const send = (e: FerryEvent) => {
        if (cursor !== undefined && e.id <= cursor) return;
        cursor = e.id;
        if (matches(e)) res.write(`id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
      };
      const buffered: FerryEvent[] = [];
      let live = false;
      const unsubscribe = events.subscribe((e) => (live ? send(e) : buffered.push(e)));
      if (cursor !== undefined) {
        for (const e of await events.list({ after: cursor, limit: 1000 })) send(e);
      }
      buffered.forEach(send);
      live = true;
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      request.raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  );
}
