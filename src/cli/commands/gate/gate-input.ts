import { InvalidArgumentError } from 'commander';
import type { OptionValues } from '../../define-command.js';
import { stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

/** `ferry gate report <service> <version> --name tests --status passed [--value k=v]... [--url U]`. */
export interface ReportGateInput {
  readonly action: 'report';
  readonly service: string;
  readonly version: string;
  readonly name: string;
  readonly status: 'passed' | 'failed';
  readonly values: Readonly<Record<string, number>>;
  readonly url: string | undefined;
}

/** `ferry gate list <service> <version>`. */
export interface ListGatesInput {
  readonly action: 'list';
  readonly service: string;
  readonly version: string;
}

export type GateInput = ReportGateInput | ListGatesInput;

/** Commander parser for `--status`: passed or failed. */
export function gateStatus(value: string): 'passed' | 'failed' {
  if (value === 'passed' || value === 'failed') return value;
  throw new InvalidArgumentError('expected passed or failed.');
}

/**
 * Commander parser for the repeatable `--value coverage=83.2`: collects every one into a map;
 * a value that is not a number, or a name given twice, is a usage error.
 */
export function gateValue(text: string, previous?: unknown): Record<string, number> {
  const collected = (previous ?? {}) as Record<string, number>;
  const match = /^([^=]+)=(.+)$/.exec(text);
  const value = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isFinite(value) || match[2]!.trim() === '') {
    throw new InvalidArgumentError(`"${text}": expected name=number, such as coverage=83.2.`);
  }
  const name = match[1]!;
  if (Object.hasOwn(collected, name)) {
    throw new InvalidArgumentError(`"${name}" is given twice.`);
  }
  return { ...collected, [name]: value };
}

const reportOnly = ['name', 'status', 'value', 'url'] as const;

/** Checks the action, its arguments, and that report's options come with report only. */
export function gateInput(args: readonly (string | undefined)[], options: OptionValues): GateInput {
  const [action, service, version] = args;
  if (action !== 'report' && action !== 'list') {
    throw new UsageError(`unknown gate action "${action ?? ''}"; expected report or list`);
  }
  if (service === undefined || version === undefined) {
    throw new UsageError(`missing <service> <version>: ferry gate ${action} <service> <version>`);
  }
  if (action === 'list') {
    const given = reportOnly.find((key) => options[key] !== undefined);
    if (given) throw new UsageError(`--${given} goes with "ferry gate report", not "list"`);
    return { action, service, version };
  }
  const name = stringOption(options, 'name');
  const status = stringOption(options, 'status') as 'passed' | 'failed' | undefined;
  if (name === undefined || status === undefined) {
    throw new UsageError(
      `ferry gate report needs --name and --status, such as --name tests --status passed`,
    );
  }
  const values = (options['value'] ?? {}) as Record<string, number>;
  return { action, service, version, name, status, values, url: stringOption(options, 'url') };
}
