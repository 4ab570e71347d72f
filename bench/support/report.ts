import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchmarkResult } from './benchmark.js';
import { projectRoot } from './project-root.js';

/** The figures as an aligned text table: figure, value, unit. */
export function formatTable(result: BenchmarkResult): string {
  const rows = Object.entries(result.figures).map(([name, { value, unit }]) => [
    name,
    formatNumber(value),
    unit,
  ]);
  const all = [['figure', 'value', 'unit'], ...rows];
  const widths = [0, 1, 2].map((column) => Math.max(...all.map((row) => row[column]!.length)));
  return all
    .map(([name, value, unit]) =>
      [name!.padEnd(widths[0]!), value!.padStart(widths[1]!), unit!].join('  ').trimEnd(),
    )
    .join('\n');
}

/** Writes `bench/out/<name>.json` as `{"figures": {name: number}, "config": {...}}`. */
export async function writeResult(name: string, result: BenchmarkResult): Promise<string> {
  const dir = join(projectRoot(), 'bench', 'out');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const figures = Object.fromEntries(
    Object.entries(result.figures).map(([figure, { value }]) => [figure, value]),
  );
  await writeFile(file, JSON.stringify({ figures, config: result.config }, null, 2) + '\n');
  return file;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3);
}
