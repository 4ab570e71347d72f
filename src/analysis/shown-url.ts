/**
 * A URL as shown in messages and records: any password in it replaced by `***`. Text that is
 * not a URL is shown as it is.
 *
 * @example shownUrl('http://ferry:hunter2@prometheus:9090') // 'http://ferry:***@prometheus:9090'
 */
export function shownUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return String(url);
  }
  if (parsed.password === '') return typeof url === 'string' ? url : url.toString();
  parsed.password = '***';
  const text = parsed.toString();
  // URL adds a '/' to a bare origin; keep the address as it was written.
  return typeof url === 'string' && !url.endsWith('/') && text.endsWith('/')
    ? text.slice(0, -1)
    : text;
}
