import { defineCommand } from '../../define-command.js';
import {
  booleanOption,
  eventId,
  numberOption,
  positiveInteger,
  stringOption,
} from '../../option-values.js';
import { parseSince } from './parse-since.js';
import { defaultLatest, runEvents } from './run-events.js';

/** `ferry events [--since 1h] [--limit n] [--follow]`: the latest events, then live ones. */
export const eventsCommand = defineCommand({
  name: 'events',
  summary: 'Print the latest events (newest last), then follow them live with --follow',
  options: [
    { flags: '-f, --follow', description: 'then keep streaming new events until interrupted' },
    {
      flags: '--since <time>',
      description: 'only events since a duration ago (30m, 2h) or an ISO-8601 time',
      parse: (value: string) => parseSince(value),
    },
    {
      flags: '--subject <prefix>',
      description: 'only subjects starting with this, e.g. deployment/',
    },
    { flags: '--kind <prefix>', description: 'only kinds starting with this, e.g. instance.' },
    { flags: '--after <id>', description: 'only events after this id', parse: eventId },
    {
      flags: '--limit <n>',
      description: `at most this many (default the latest ${defaultLatest}; with --after, the first 200)`,
      parse: positiveInteger,
    },
  ],
  input: (_args, options) => ({
    follow: booleanOption(options, 'follow'),
    subject: stringOption(options, 'subject'),
    kind: stringOption(options, 'kind'),
    after: numberOption(options, 'after'),
    since: numberOption(options, 'since'),
    limit: numberOption(options, 'limit'),
  }),
  handler: runEvents,
});
