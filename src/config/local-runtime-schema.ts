import { posix } from 'node:path';
import { z } from 'zod';
import { countSchema } from './config-primitives.js';
import { expecting } from './describe-value.js';
import type { LocalRuntimeConfig, RuntimeConfig } from './ferry-config.js';
import { oneKeyMap } from './one-key-map.js';

const commandError = expecting(
  'a command: a shell string such as "node server.js" or a list of strings such as [node, server.js]',
);

/** A shell string runs through `/bin/sh -c`; a list is the argv as written. */
export const commandSchema = z.union(
  [
    z
      .string({ error: commandError })
      .min(1, { error: commandError })
      .transform((line) => ['/bin/sh', '-c', line]),
    z
      .array(z.string({ error: commandError }), { error: commandError })
      .min(1, { error: commandError }),
  ],
  { error: commandError },
);

const cwdError = expecting('a relative path such as . or app');

/** Whether a `cwd` stays inside the release folder: relative, and no `..` climbing out of it. */
function staysInRelease(dir: string): boolean {
  if (dir === '' || dir.startsWith('/')) return false;
  const normal = posix.normalize(dir);
  return normal !== '..' && !normal.startsWith('../');
}

const userError = expecting('a user name such as nobody, or a numeric uid');

const envNameError = expecting('an environment variable name such as GREETING');
const envValueError = expecting('a string, number or boolean');

/** Environment variables for a process; numbers and booleans become strings. */
export const envSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: envNameError }),
  z.union([z.string(), z.number(), z.boolean()], { error: envValueError }).transform(String),
);

/**
 * `runtime.local`: how the local runtime starts one instance of the service. `replicas` here is
 * deprecated (it belongs to the service): still read, with a warning (`check-deprecations.ts`),
 * and handed to the service schema as `deprecatedReplicas`.
 */
const localRuntimeSchema = z
  .strictObject({
    command: commandSchema,
    cwd: z
      .string({ error: cwdError })
      .refine(staysInRelease, {
        error: (issue) =>
          `${cwdError(issue)}: cwd is relative to the release folder and must stay inside it`,
      })
      .default('.'),
    env: envSchema.default({}),
    replicas: countSchema(1)
      .optional()
      .meta({ deprecated: true, description: 'Deprecated: write services.<name>.replicas.' }),
    user: z
      .string({ error: userError })
      .regex(/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/, { error: userError })
      .optional(),
  })
  .transform((local) => ({
    config: {
      command: local.command,
      cwd: local.cwd,
      env: local.env,
      ...(local.user === undefined ? {} : { user: local.user }),
    } satisfies LocalRuntimeConfig,
    deprecatedReplicas: local.replicas,
  }));

/** A resolved `runtime`, and the deprecated `replicas` written inside it, if any. */
interface ResolvedRuntime {
  readonly runtime: RuntimeConfig;
  readonly deprecatedReplicas: number | undefined;
}

/**
 * `runtime`: where the instances run, one of the runtimes (only `local` today), resolved to a
 * tagged {@link RuntimeConfig} plus the `replicas` an old file wrote inside it.
 */
export const runtimeSchema = oneKeyMap(
  {
    local: localRuntimeSchema.transform(({ config, deprecatedReplicas }): ResolvedRuntime => ({
      runtime: { kind: 'local', local: config },
      deprecatedReplicas,
    })),
  },
  {
    what: 'a map with local, such as { local: { command: node server.js } }',
    many: 'a service runs on one runtime, so keep the one to use',
  },
);
