import { z } from 'zod';
import { InvalidRequestError } from '../../errors/ferry-error.js';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import { principalOf } from './auth-hook.js';
import { actorOf, tokenRoles } from './domain/api-token.js';
import { parseTokenLifetime, tokenLifetimeHint } from './domain/token-lifetime.js';
import type { TokenService } from './token-service.js';

export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(tokenRoles),
    scopes: z.array(z.string()).readonly(),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'Token' });

const createBody = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'expected a name like ci-deployer (max 64)'),
  expiresIn: z.string().optional().describe('e.g. 30d; none: until revoked'),
  role: z.enum(tokenRoles).default('admin').describe('viewer, deployer, approver or admin'),
  environments: z
    .array(z.string().regex(/^(\*|[a-z0-9][a-z0-9-]{0,62})$/, 'expected an environment name or *'))
    .default(['*'])
    .describe('The environments the role applies to; ["*"]: every one'),
});

/** Token management (create shows the secret once) and `whoami` for `ferry login`. */
export function tokenRoutes(app: ZodApp, tokens: TokenService) {
  app.post(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens' },
      schema: {
        tags: ['tokens'],
        summary: 'Create a token; the answer is the only time its secret is shown',
        body: createBody,
        response: { 201: z.object({ token: tokenSchema, secret: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name, expiresIn, role, environments } = request.body;
      const lifetimeMs = expiresIn === undefined ? undefined : parseTokenLifetime(expiresIn);
      if (expiresIn !== undefined && lifetimeMs === undefined) {
        throw new InvalidRequestError(`invalid body.expiresIn: expected ${tokenLifetimeHint}`, [
          { path: 'body.expiresIn', message: `expected ${tokenLifetimeHint}` },
        ]);
      }
      const actor = actorOf(principalOf(request));
      const created = await tokens.create({
        name,
        actor,
        role,
        scopes: environments,
        ...(lifetimeMs === undefined ? {} : { lifetimeMs }),
      });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens' },
      schema: {
        tags: ['tokens'],
        summary: 'Every token, revoked and expired ones too; never a secret',
        response: { 200: z.object({ tokens: z.array(tokenSchema) }) },
      },
    },
    async () => ({ tokens: [...(await tokens.list())] }),
  );

  app.post(
    '/api/v1/tokens/:id/revoke',
    {
      config: { permission: 'tokens' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token for good',
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ token: tokenSchema }), ...errorResponses },
      },
    },
    async (request) => ({
      token: await tokens.revoke(request.params.id, actorOf(principalOf(request))),
    }),
  );

  app.get(
    '/api/v1/whoami',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['tokens'],
        summary: 'The token this request was made with; null for a tokenless call on loopback',
        response: { 200: z.object({ token: tokenSchema.nullable() }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return { token: principal.kind === 'token' ? principal.token : null };
    },
  );
}
