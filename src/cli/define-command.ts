import type { CommandContext } from './command-context.js';

/** A positional argument; `<name>` when required, `[name]` when optional. */
export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  /** Takes every remaining word (`[paths...]`); they arrive as separate trailing args. Last only. */
  readonly variadic?: boolean;
}

/** An option in commander's `flags` syntax, e.g. `--env <env>` or `--no-wait`. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly required?: boolean;
  readonly default?: string | boolean;
  /**
   * Converts and checks the value; throw commander's InvalidArgumentError for a usage error.
   * `previous` is the value so far (the default, or the last parse): repeatable options collect.
   */
  readonly parse?: (value: string, previous: unknown) => unknown;
}

/** Parsed option values keyed by camel-cased long name, as commander reports them. */
export type OptionValues = Readonly<Record<string, unknown>>;

/**
 * The declarative description of a command and how its parse becomes the handler's typed input.
 * `input` may throw a UsageError for rules commander cannot express.
 */
export interface CommandSpec<Input> {
  readonly name: string;
  readonly summary: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: readonly OptionSpec[];
  readonly input: (args: readonly (string | undefined)[], options: OptionValues) => Input;
  /** Does the work; returns the exit code (0 ok, 1 failed). Never exits the process. */
  readonly handler: (input: Input, context: CommandContext) => Promise<number>;
}

/** A command with its input type sealed in, so commands of all shapes fit in one list. */
export interface FerryCommand {
  readonly name: string;
  readonly summary: string;
  readonly arguments: readonly ArgumentSpec[];
  readonly options: readonly OptionSpec[];
  run(
    args: readonly (string | undefined)[],
    options: OptionValues,
    context: CommandContext,
  ): Promise<number>;
}

/** Seals a {@link CommandSpec} into a {@link FerryCommand}. */
export function defineCommand<Input>(spec: CommandSpec<Input>): FerryCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    arguments: spec.arguments ?? [],
    options: spec.options ?? [],
    run: (args, options, context) => spec.handler(spec.input(args, options), context),
  };
}
