import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Names the cost callgrind counts for code V8 compiled at run time. Callgrind sees JIT code as
 * bare addresses; V8's `--log-code` log says which function each address range holds. Together
 * they give the instructions per request each JavaScript function spent itself (inlined callees
 * included), which a sampling profiler on a noisy machine cannot. Used by
 * `BY_FUNCTION=1 bash bench/router-instructions.sh`.
 */

/**
 * One code object from V8's log: `code-creation,<type>,<kind>,<time>,<address>,<size>,<name>`
 * and, for JavaScript, `<function id>,<tier>` (`~` interpreted, `^` baseline, `*` optimized),
 * which the name keeps in brackets.
 */
export interface CodeRange {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** The code objects of a V8 `--log-code` log, in the order they were created. */
export function codeRanges(log: string): CodeRange[] {
  const ranges: CodeRange[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('code-creation,')) continue;
    const fields = line.split(',');
    const start = Number.parseInt(fields[4] ?? '', 16);
    const size = Number(fields[5]);
    if (!Number.isFinite(start) || !Number.isFinite(size)) continue;
    const tier = fields[8];
    const name = fields[6] ?? '?';
    ranges.push({
      start,
      end: start + size,
      name: tier === undefined ? name : `${name} [${tier}]`,
    });
  }
  return ranges;
}

/**
 * Self cost (the first event, Ir) per function name in a callgrind output file. Names are
 * compressed there (`fn=(12) name` once, `fn=(12)` after); the line after `calls=` is the cost
 * of a call, inclusive of the callee, so it is not the caller's own.
 */
export function selfCosts(callgrind: string): Map<string, number> {
  const names = new Map<string, string>();
  const costs = new Map<string, number>();
  let current = '?';
  let afterCalls = false;
  for (const line of callgrind.split('\n')) {
    const named = /^(c?fn)=\((\d+)\)(?: (.*))?$/.exec(line);
    if (named !== null) {
      const [, kind, id = '', name] = named;
      if (name !== undefined) names.set(id, name.trim());
      if (kind === 'fn') current = names.get(id) ?? '?';
      continue;
    }
    if (line.startsWith('calls=')) {
      afterCalls = true;
      continue;
    }
    if (!/^[0-9+\-*]/.test(line)) continue;
    if (afterCalls) {
      afterCalls = false;
      continue;
    }
    const cost = Number(line.split(' ')[1]);
    if (Number.isFinite(cost)) costs.set(current, (costs.get(current) ?? 0) + cost);
  }
  return costs;
}

/** The function a JIT address belongs to: the latest code object covering it. */
export function nameOf(address: number, ranges: readonly CodeRange[]): string | undefined {
  for (let i = ranges.length - 1; i >= 0; i--) {
    const range = ranges[i] as CodeRange;
    if (range.start <= address && address < range.end) return range.name;
  }
  return undefined;
}

/** Self cost per request by function, JIT addresses named, highest first. */
export function costsByFunction(
  callgrind: string,
  codeLog: string,
  requests: number,
): [string, number][] {
  const ranges = codeRanges(codeLog);
  const byName = new Map<string, number>();
  for (const [name, cost] of selfCosts(callgrind)) {
    // A JIT address, possibly with callgrind's recursion suffix ('2).
    const address = /^0x([0-9a-f]+)/.exec(name);
    const label =
      address === null
        ? name
        : (nameOf(Number.parseInt(address[1] as string, 16), ranges) ?? 'JIT (unnamed)');
    byName.set(label, (byName.get(label) ?? 0) + cost / requests);
  }
  return [...byName].sort((a, b) => b[1] - a[1]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [callgrindFile, codeLogFile, requests, top = '30'] = process.argv.slice(2);
  if (callgrindFile === undefined || codeLogFile === undefined || requests === undefined) {
    console.error('usage: jit-functions <callgrind.out> <v8 code log> <requests> [top]');
    process.exit(2);
  }
  const rows = costsByFunction(
    readFileSync(callgrindFile, 'utf8'),
    readFileSync(codeLogFile, 'utf8'),
    Number(requests),
  );
  for (const [name, perRequest] of rows.slice(0, Number(top))) {
    console.log(`${Math.round(perRequest).toString().padStart(7)}  ${name}`);
  }
}
