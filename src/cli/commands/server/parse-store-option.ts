import { redactedUrl } from '../../../store/postgres-fault.js';
import { UsageError } from '../../usage-error.js';

/**
 * `--store URL` (or FERRY_STORE): a PostgreSQL URL, or nothing for `ferry.db` in the data folder.
 * Anything else is a usage error that shows the value without its password.
 *
 * @example parseStoreOption('postgres://ferry@db:5432/ferry') // 'postgres://ferry@db:5432/ferry'
 */
export function parseStoreOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (/^postgres(ql)?:\/\/[^/]/.test(text) && URL.canParse(text)) return text;
  const shown = URL.canParse(text) ? redactedUrl(text) : text.replace(/:[^:@/]*@/, '@');
  throw new UsageError(
    `--store "${shown}" is not a PostgreSQL URL; expected e.g. postgres://ferry@127.0.0.1:5432/ferry ` +
      '(leave it out to keep the store in --data)',
  );
}
