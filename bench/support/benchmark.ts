/** One measured number and its unit, e.g. `{ value: 10432, unit: 'req/s' }`. */
export interface Figure {
  readonly value: number;
  readonly unit: string;
}

/** What a benchmark reports: its figures and the settings that produced them. */
export interface BenchmarkResult {
  readonly figures: Readonly<Record<string, Figure>>;
  readonly config: Readonly<Record<string, unknown>>;
}

/** A benchmark `npm run bench -- <name>` can run; register it in `bench/run.ts`. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchmarkResult>;
}
