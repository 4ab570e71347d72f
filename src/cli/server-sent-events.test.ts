import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from './server-sent-events.js';

async function parse(chunks: string[]) {
  const out = [];
  for await (const message of readServerSentEvents(chunks)) out.push(message);
  return out;
}

describe('readServerSentEvents', () => {
  it('joins data lines, keeps id and event, and skips comments', async () => {
    expect(
      await parse([
        ': ferry events\n\n',
        'id: 7\nevent: instance.ready\nda',
        'ta: {"a":\ndata: 1}\n\n',
      ]),
    ).toEqual([{ id: '7', event: 'instance.ready', data: '{"a":\n1}' }]);
  });

  it('accepts CRLF line ends and drops a message cut off before its blank line', async () => {
    expect(await parse(['data: one\r\n\r\n', 'data: two\r\n'])).toEqual([
      { id: undefined, event: undefined, data: 'one' },
    ]);
  });
});
