/** `coverage=83.2,failures=0`: a report's values in one cell. */
export function formatValues(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
}
