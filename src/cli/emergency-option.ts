import type { OptionValues } from './define-command.js';
import { UsageError } from './usage-error.js';

/** `--emergency <reason>` on `ferry deploy` and `ferry promote`: pass a deployment window in force. */
export const emergencyFlag = {
  flags: '--emergency <reason>',
  description:
    'pass a deployment window (freeze) in force; the reason is required, recorded and flagged (gates still apply)',
} as const;

/** The `--emergency` reason, trimmed; a blank one is a usage error, since it must say why. */
export function emergencyOption(options: OptionValues): { readonly reason: string } | undefined {
  const value = options['emergency'];
  if (typeof value !== 'string') return undefined;
  const reason = value.trim();
  if (reason === '') {
    throw new UsageError('--emergency needs a reason, e.g. --emergency "CVE-2026-1234 hotfix"');
  }
  return { reason };
}
