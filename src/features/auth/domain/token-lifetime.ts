const units = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const pattern = /^(\d{1,6})(m|h|d|w)$/;

/** The longest lifetime a token may be given: ten years. */
const maxLifetimeMs = 3650 * units.d;

/**
 * Parses a token lifetime such as `90m`, `12h`, `30d` or `8w` into milliseconds; undefined when
 * the text is not one, is zero, or is over ten years.
 *
 * @example parseTokenLifetime('30d') // 2592000000
 */
export function parseTokenLifetime(text: string): number | undefined {
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const ms = Number(amount) * units[unit as keyof typeof units];
  return ms > 0 && ms <= maxLifetimeMs ? ms : undefined;
}

export const tokenLifetimeHint = 'a lifetime such as 90m, 12h, 30d or 8w (at most 3650d)';
