import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { FerryError } from '../errors/ferry-error.js';
import { isDiskFull } from '../errors/storage-errors.js';

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
  if (isDiskFull(error)) {
    // A full data disk is the operator's to fix, not a bug: 507, whichever write hit it.
    request.log.warn({ err: error }, 'data disk full');
    const full = new FerryError('insufficient_storage', 'the data disk is full; try again later');
    return reply.status(507).send(full.toJSON());
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.statusCode && fastifyError.statusCode < 500) {
    return reply
      .status(fastifyError.statusCode)
      .send(new FerryError('invalid_request', fastifyError.message).toJSON());
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(new FerryError('internal', 'internal error').toJSON());
}
