import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logRedaction } from './log-redaction.js';

describe('logRedaction', () => {
  it('hides the authorization header wherever a request is logged', () => {
    let written = '';
    const logger = pino({ redact: logRedaction }, { write: (line: string) => (written += line) });
    const headers = { authorization: 'Bearer ferry_tok-x_secret', host: 'ferry' };
    logger.info({ req: { headers } }, 'a');
    logger.info({ request: { headers } }, 'b');
    logger.info({ headers }, 'c');
    logger.info({ err: { headers } }, 'd');
    expect(written).not.toContain('ferry_tok-x_secret');
    expect(written.match(/\[redacted\]/g)).toHaveLength(4);
  });
});
