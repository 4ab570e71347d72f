/** A YAML map as plain data; the cross-field checks read raw input defensively with it. */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string names of `environments`, or undefined when the list itself is malformed. */
export function declaredEnvironmentNames(raw: unknown): string[] | undefined {
  if (!isRecord(raw) || !Array.isArray(raw.environments)) return undefined;
  return raw.environments.flatMap((env: unknown) =>
    isRecord(env) && typeof env.name === 'string' ? [env.name] : [],
  );
}

/** One `overrides.<environment>` of a raw service, with its path for problems. */
export interface RawOverride {
  readonly environment: string;
  readonly path: readonly (string | number)[];
  readonly override: Readonly<Record<string, unknown>>;
}

/** The well-formed entries of a raw service's `overrides` (the schema reports the others). */
export function rawOverrides(
  serviceName: string,
  service: Readonly<Record<string, unknown>>,
): RawOverride[] {
  const { overrides } = service;
  if (!isRecord(overrides)) return [];
  return Object.entries(overrides).flatMap(([environment, override]) =>
    isRecord(override)
      ? [{ environment, path: ['services', serviceName, 'overrides', environment], override }]
      : [],
  );
}
