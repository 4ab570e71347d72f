/**
 * Renders rows as left-aligned columns under upper-case headers, two spaces apart, for people
 * reading a terminal. Empty cells show `-` so columns stay countable for `awk`.
 *
 * @example renderTable(['name', 'phase'], [['web', 'Succeeded']])
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
): string {
  const cells = [
    headers.map((h) => h.toUpperCase()),
    ...rows.map((row) => headers.map((_, i) => cellText(row[i]))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function cellText(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value);
}
