import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { FerryError } from '../errors/ferry-error.js';

/** The one place errors become HTTP answers. */
export function renderError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const details = error.validation.map((v) => ({
      path: `${where}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'invalid',
    }));
    const first = details[0];
    const message = first ? `invalid ${first.path}: ${first.message}` : `invalid ${where}`;
    return reply.status(400).send(new FerryError('invalid_request', message, { details }).toJSON());
  }
  if (error instanceof FerryError) return reply.status(error.status).send(error.toJSON());
  const fastifyError = error as FastifyError;
  if (fastifyError.statusCode && fastifyError.statusCode < 500) {
    return reply
      .status(fastifyError.statusCode)
      .send(new FerryError('invalid_request', fastifyError.message).toJSON());
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(new FerryError('internal', 'internal error').toJSON());
}
