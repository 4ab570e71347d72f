/**
 * A webhook URL as events, the API and logs show it. Webhook URLs are secrets: Slack and
 * Discord put the token in the path, others in the query or the user info. So only the scheme,
 * host and port stay, the path becomes `/***`, and each query value `***` (names stay, to tell
 * hooks apart). Text that is not a URL is shown as `***`.
 *
 * @example shownWebhookUrl('https://hooks.example.com/services/T0/B0/xyz?token=abc') // 'https://hooks.example.com/***?token=***'
 */
export function shownWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  const userInfo = parsed.username !== '' || parsed.password !== '' ? '***@' : '';
  const path = parsed.pathname === '/' || parsed.pathname === '' ? '' : '/***';
  const names = [...new Set(parsed.searchParams.keys())];
  const query = parsed.search === '' ? '' : `?${names.map((name) => `${name}=***`).join('&')}`;
  return `${parsed.protocol}//${userInfo}${parsed.host}${path}${query}`;
}

/** `text` with every appearance of the webhook's URL (as written or as parsed) masked. */
export function withoutWebhookUrl(text: string, url: string): string {
  let normalized = url;
  try {
    normalized = new URL(url).toString();
  } catch {
    // Not a URL: only the text as written is replaced.
  }
  const shown = shownWebhookUrl(url);
  return text.split(url).join(shown).split(normalized).join(shown);
}
