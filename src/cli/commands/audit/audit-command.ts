import { defineCommand } from '../../define-command.js';
import { positiveInteger, stringOption, numberOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';
import { parseSince } from '../../../features/audit/domain/since.js';
import { runAudit } from './run-audit.js';

/** `ferry audit [--actor A] [--since 1h] [--limit N] [--json]`: who did what, newest first. */
export const auditCommand = defineCommand({
  name: 'audit',
  summary: 'Print the audit log: every mutating API call, refused ones too, newest first',
  options: [
    { flags: '--actor <actor>', description: 'only calls by this token (name or id) or local' },
    {
      flags: '--since <time>',
      description: 'only calls since a duration ago (30m, 1h, 7d) or an ISO-8601 time',
    },
    { flags: '--limit <n>', description: 'at most this many (default 50)', parse: positiveInteger },
  ],
  input: (_args, options) => {
    const since = stringOption(options, 'since');
    if (since !== undefined && parseSince(since, Date.now()) === undefined) {
      throw new UsageError(
        `--since "${since}": expected a duration like 30m, 1h, 7d or an ISO-8601 time`,
      );
    }
    return {
      actor: stringOption(options, 'actor'),
      since,
      limit: numberOption(options, 'limit') ?? 50,
    };
  },
  handler: runAudit,
});
