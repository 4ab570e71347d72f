import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { SquawkViolation } from '../domain/lint-file.js';
import { squawkTimeoutRules } from '../domain/lint-rules.js';
import { squawkBinary } from './squawk-binary.js';

const squawkReport = z.array(
  z.object({
    rule_name: z.string(),
    line: z.number().int(),
    column: z.number().int(),
    message: z.string(),
    help: z.string().nullable().optional(),
  }),
);

export interface RunSquawkOptions {
  /** The runner wraps the file in a transaction: squawk then skips rerun-safety advice. */
  readonly inTransaction: boolean;
}

/**
 * Lints one file's SQL with squawk (`--reporter json`, the SQL on stdin) without its timeout
 * rules. squawk exits 1 when it found something; anything else but 0 is a failure to run it.
 */
export async function runSquawk(
  sql: string,
  options: RunSquawkOptions,
): Promise<SquawkViolation[]> {
  const args = [
    '--reporter',
    'json',
    `--exclude=${squawkTimeoutRules.join(',')}`,
    options.inTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction',
  ];
  const { code, stdout, stderr } = await run(squawkBinary(), args, sql);
  if (code !== 0 && code !== 1) {
    throw new Error(`squawk exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  }
  const parsed = squawkReport.parse(JSON.parse(stdout.trim() || '[]'));
  return parsed.map((v) => ({
    rule: v.rule_name,
    line: v.line,
    column: v.column,
    message: v.message,
    help: v.help ?? null,
  }));
}

function run(command: string, args: readonly string[], input: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
