import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FerryConfig } from '../../config/ferry-config.js';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import { principalOf } from '../auth/auth-hook.js';
import { scopeCovers } from '../auth/domain/permissions.js';
import type { MigrationService } from './migration-service.js';
import {
  contractBody,
  contractResultSchema,
  migrationStatusQuery,
  migrationStatusSchema,
  toContractResultView,
  toMigrationStatusView,
} from './migration-schemas.js';

/**
 * `GET /api/v1/migrations`: applied, pending expand, pending contract with why each waits, and
 * checksum mismatches, per service and environment. `POST /api/v1/migrations/contract`: run the
 * ready contract migrations of a service in an environment (409 `contract_waiting` with the
 * reasons when none is ready).
 */
export function migrationRoutes(
  app: ZodApp,
  parts: {
    readonly migrations: MigrationService;
    readonly config: () => FerryConfig;
    readonly actorOf: (request: FastifyRequest) => string;
  },
) {
  app.get(
    '/api/v1/migrations',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['migrations'],
        summary:
          'Database migrations per environment: applied, pending expand, pending contract and why it waits, checksum mismatches',
        querystring: migrationStatusQuery,
        response: {
          200: z.object({ migrations: z.array(migrationStatusSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { environment, service } = request.query;
      const principal = principalOf(request);
      const environments =
        environment !== undefined
          ? [environment]
          : parts
              .config()
              .environments.map((e) => e.name)
              .filter((e) => principal.kind === 'local' || scopeCovers(principal.token.scopes, e));
      const migrations = [];
      for (const name of environments) {
        migrations.push(...(await parts.migrations.status(name, service)));
      }
      return { migrations: migrations.map(toMigrationStatusView) };
    },
  );

  app.post(
    '/api/v1/migrations/contract',
    {
      config: { permission: 'deploy' },
      schema: {
        tags: ['migrations'],
        summary:
          'Run the contract migrations of a service in an environment that are safe now (the version that shipped them is live, its rollback window and soak passed, nothing older runs)',
        body: contractBody,
        response: { 200: contractResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { service, environment } = request.body;
      const actor = parts.actorOf(request);
      return toContractResultView(
        await parts.migrations.contract({ service, environment }, { actor }),
      );
    },
  );
}
