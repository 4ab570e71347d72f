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
