/**
 * Names a provider's text may refer to as `{{name}}`: who is measured, filled in when the
 * measurement is taken, so one template serves every rollout.
 *
 * @example expandPlaceholders('rate(http_requests_total{version="{{version}}"}[1m])', values)
 */
export const placeholderNames = [
  'service',
  'environment',
  'track',
  'version',
  'stableVersion',
  'canaryVersion',
  'baselineVersion',
] as const;
export type PlaceholderName = (typeof placeholderNames)[number];

export type PlaceholderValues = Readonly<Partial<Record<PlaceholderName, string>>>;

const placeholder = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Names written as `{{name}}` in `text` that are not placeholders, in order, once each. */
export function unknownPlaceholders(text: string): string[] {
  const unknown = [...text.matchAll(placeholder)]
    .map((match) => match[1]!)
    .filter((name) => !(placeholderNames as readonly string[]).includes(name));
  return [...new Set(unknown)];
}

/** Raised for a placeholder without a value here, e.g. `{{canaryVersion}}` after a rolling update. */
export class PlaceholderError extends Error {
  constructor(readonly placeholder: string) {
    super(`{{${placeholder}}} has no value in this analysis`);
    this.name = 'PlaceholderError';
  }
}

/** `text` with every `{{name}}` replaced by its value; throws `PlaceholderError` for a missing one. */
export function expandPlaceholders(text: string, values: PlaceholderValues): string {
  if (!text.includes('{{')) return text;
  return text.replace(placeholder, (_, name: string) => {
    const value = values[name as PlaceholderName];
    if (value === undefined) throw new PlaceholderError(name);
    return value;
  });
}
