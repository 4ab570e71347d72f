const units = {
  B: 1,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
} as const;
const pattern = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)$/;

/**
 * Parses `512MiB`, `2GiB`, `100MB`, `64KiB` or `1000B` into bytes; undefined when the text is
 * not a size.
 *
 * @example parseByteSize('1.5KiB') // 1536
 */
export function parseByteSize(text: string): number | undefined {
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Math.round(Number(amount) * units[unit as keyof typeof units]);
}
