import { InvalidArgumentError } from 'commander';
import type { OptionValues } from './define-command.js';

/** Commander value parser for counts like `--limit 20`. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.');
  }
  return n;
}

/** Commander value parser for event ids like `--after 120`. */
export function eventId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected an event id (a whole number).');
  }
  return n;
}

export function stringOption(options: OptionValues, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' ? value : undefined;
}

export function numberOption(options: OptionValues, key: string): number | undefined {
  const value = options[key];
  return typeof value === 'number' ? value : undefined;
}

export function booleanOption(options: OptionValues, key: string): boolean {
  return options[key] === true;
}

/** A required option's value (commander has already rejected its absence). */
export function requiredString(options: OptionValues, key: string): string {
  const value = stringOption(options, key);
  if (value === undefined) throw new Error(`option ${key} missing after parsing`);
  return value;
}

/** A required positional argument's value (commander has already rejected its absence). */
export function requiredArgument(args: readonly (string | undefined)[], index: number): string {
  const value = args[index];
  if (value === undefined) throw new Error(`argument ${index} missing after parsing`);
  return value;
}
