import { defineCommand } from '../../define-command.js';
import {
  booleanOption,
  eventId,
  numberOption,
  positiveInteger,
  stringOption,
} from '../../option-values.js';
import { runEvents } from './run-events.js';

/** `ferry events [--follow]`: the event log, one line per event. */
export const eventsCommand = defineCommand({
  name: 'events',
  summary: 'Print the event log, or follow it live with --follow',
  options: [
    { flags: '--follow', description: 'keep streaming new events until interrupted' },
    {
      flags: '--subject <prefix>',
      description: 'only subjects starting with this, e.g. deployment/',
    },
    { flags: '--kind <prefix>', description: 'only kinds starting with this, e.g. instance.' },
    { flags: '--after <id>', description: 'only events after this id', parse: eventId },
    {
      flags: '--limit <n>',
      description: 'at most this many (without --follow; server default 200)',
      parse: positiveInteger,
    },
  ],
  input: (_args, options) => ({
    follow: booleanOption(options, 'follow'),
    subject: stringOption(options, 'subject'),
    kind: stringOption(options, 'kind'),
    after: numberOption(options, 'after'),
    limit: numberOption(options, 'limit'),
  }),
  handler: runEvents,
});
