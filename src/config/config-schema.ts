import { z } from 'zod';
import { artifactsSchema } from './artifacts-schema.js';
import { countSchema, durationSchema, nameSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import { dataPlaneKinds, type EnvironmentConfig, type FerryConfig } from './ferry-config.js';
import { gateRequirementSchema } from './gate-requirement-schema.js';
import { riskSchema } from './risk-schema.js';
import { routerSchema } from './router-schema.js';
import { serviceSchema } from './service-schema.js';
import { windowsSchema } from './windows-schema.js';

/** The only `apiVersion` this Ferry reads. */
export const configApiVersion = 'ferry.dev/v1';

const environmentSchema = z.strictObject({
  name: nameSchema,
  dataPlane: z
    .enum(dataPlaneKinds, { error: expecting(`one of ${dataPlaneKinds.join(', ')}`) })
    .default('ferry'),
  // Checked against the environments before this one by `check-environments.ts`.
  from: nameSchema.nullable().optional(),
  soak: durationSchema.default(0),
  require: z
    .array(gateRequirementSchema, {
      error: expecting('a list of gates such as [tests, { coverage: ">= 80" }]'),
    })
    .default([]),
  autoPromote: z.boolean({ error: expecting('true or false') }).default(false),
});

/**
 * `limits`: bounds every service is checked against (`check-limits.ts` applies them, with their
 * defaults, where the services are). Validated here; nothing past the loader reads them.
 */
const limitsSchema = z.strictObject(
  {
    maxReplicas: countSchema(1).optional(),
    maxDrainTimeout: durationSchema
      .refine((ms) => ms > 0, { error: 'maxDrainTimeout must be above 0' })
      .optional(),
  },
  { error: expectingMap('a map such as { maxReplicas: 64, maxDrainTimeout: 1h }') },
);

/**
 * The raw ferry.yaml as users write it, transformed into the resolved {@link FerryConfig} (the
 * loader adds the located `warnings`).
 * Cross-field rules (unique environments, known route environments, port clashes) live in
 * `check-environments.ts` and `check-routes.ts` so they run even when this schema fails.
 */
export const configSchema = z
  .strictObject(
    {
      apiVersion: z.literal(configApiVersion, { error: expecting(`"${configApiVersion}"`) }),
      environments: z
        .array(environmentSchema, { error: expecting('a list of environments') })
        .min(1, { error: 'at least one environment is required, e.g. - name: prod' }),
      services: z.record(nameSchema, serviceSchema, { error: expecting('a map of services') }),
      limits: limitsSchema.optional(),
      artifacts: artifactsSchema.prefault({}),
      router: routerSchema.prefault({}),
      // Service names are checked against `services` by `check-environments.ts`.
      groups: z
        .record(
          nameSchema,
          z
            .array(nameSchema, { error: expecting('a list of services such as [api, web]') })
            .min(1, { error: 'a group needs at least one service' }),
          { error: expecting('a map of groups such as backend: [api, web]') },
        )
        .default({}),
      // Environments, cron expressions and time zones are checked by `check-windows.ts`.
      windows: windowsSchema,
      // Environments and duplicate names are checked by `check-risk.ts`.
      risk: riskSchema,
    },
    {
      error: expecting(
        'a map with apiVersion, environments, services, groups, windows, risk, limits, artifacts and router',
      ),
    },
  )
  .transform((raw): Omit<FerryConfig, 'warnings'> => ({
    apiVersion: raw.apiVersion,
    groups: raw.groups,
    environments: raw.environments.map((env, index): EnvironmentConfig => ({
      name: env.name,
      dataPlane: env.dataPlane,
      // Unsaid, an environment promotes from the one before it; the first from nothing.
      from: env.from === undefined ? (raw.environments[index - 1]?.name ?? null) : env.from,
      soakMs: env.soak,
      require: env.require,
      autoPromote: env.autoPromote,
    })),
    windows: raw.windows,
    risk: raw.risk,
    artifacts: raw.artifacts,
    router: raw.router,
    services: Object.fromEntries(
      Object.entries(raw.services).map(([name, service]) => [name, { name, ...service }]),
    ),
  }));

/** The ferry.yaml text as parsed YAML, before validation. */
export type RawConfig = z.input<typeof configSchema>;
