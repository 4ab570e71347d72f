// `npm run bench [-- <name>]`: runs the registered benchmarks (or the one named), prints each
// one's figures and writes them to bench/out/<name>.json.
import type { Benchmark } from './support/benchmark.js';
import { formatTable, writeResult } from './support/report.js';
import { artifactsBenchmark } from './artifacts.js';
import { deployBenchmark } from './deploy.js';
import { rollbackBenchmark } from './rollback.js';
import { routerBenchmark } from './router.js';

/** Every benchmark `npm run bench` knows; adding one is one line here. */
const benchmarks: readonly Benchmark[] = [
  deployBenchmark,
  routerBenchmark,
  rollbackBenchmark,
  artifactsBenchmark,
];

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...extra] = argv;
  const selected = name === undefined ? benchmarks : benchmarks.filter((b) => b.name === name);
  if (extra.length > 0 || selected.length === 0) {
    console.error(`usage: npm run bench [-- <name>]; benchmarks:`);
    for (const b of benchmarks) console.error(`  ${b.name.padEnd(10)} ${b.description}`);
    return 2;
  }
  for (const benchmark of selected) {
    console.error(`bench ${benchmark.name}: ${benchmark.description}`);
    const result = await benchmark.run();
    console.log(`\n${benchmark.name}\n${formatTable(result)}\n`);
    console.error(`wrote ${await writeResult(benchmark.name, result)}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return 1;
});
