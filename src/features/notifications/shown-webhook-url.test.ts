import { describe, expect, it } from 'vitest';
import { shownWebhookUrl, withoutWebhookUrl } from './shown-webhook-url.js';

describe('shownWebhookUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/xyz', 'https://hooks.slack.com/***'],
    ['http://127.0.0.1:9000/hook?token=s3cret', 'http://127.0.0.1:9000/***?token=***'],
    ['http://ops:pw@alerts.example.com/?a=1&b=2&a=3', 'http://***@alerts.example.com?a=***&b=***'],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000'],
    ['not a url s3cret', '***'],
  ])('%s → %s', (url, shown) => {
    expect(shownWebhookUrl(url)).toBe(shown);
  });

  it('masks the URL inside an error message, as written and as parsed', () => {
    const url = 'HTTP://Example.com:80/x?token=s3cret';
    const text = `failed ${url} then ${new URL(url).toString()}`;
    expect(withoutWebhookUrl(text, url)).toBe(
      'failed http://example.com/***?token=*** then http://example.com/***?token=***',
    );
  });
});
