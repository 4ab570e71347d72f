import type { FerryEvent } from '../../api-types.js';

/**
 * One event as one greppable line: `time kind subject key=value...`. Values with spaces,
 * quotes or structure are JSON-quoted so every line splits the same way.
 *
 * @example formatEvent(e) // '2025-01-02T03:04:05.000Z deployment.created deployment/d1 version=v2'
 */
export function formatEvent(event: FerryEvent): string {
  const pairs = Object.entries(event.payload).map(([key, value]) => `${key}=${formatValue(value)}`);
  return [event.time, event.kind, event.subject, ...pairs].join(' ');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return 'null';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
