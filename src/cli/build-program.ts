import { Command, Option } from 'commander';
import type { CliIo } from './cli-io.js';
import { commandContext, defaultServerUrl } from './command-context.js';
import { commands } from './commands/index.js';
import type { FerryCommand } from './define-command.js';
import { renderCliError } from './render-cli-error.js';

/**
 * The `ferry` program: shared options, every command, and commander set to throw instead of
 * exiting and to write to the injected streams. Each command's exit code goes to `onExit`.
 */
export function buildProgram(io: CliIo, onExit: (code: number) => void): Command {
  const program = new Command('ferry')
    .description('Carry every change from a commit to production safely.')
    .addOption(
      new Option('--server <url>', 'Ferry server URL (env: FERRY_SERVER)').default(
        io.env.FERRY_SERVER || defaultServerUrl,
      ),
    )
    .option('--json', 'print only JSON on stdout')
    // Not commander's .version(): `deploy --version <label>` must stay the deploy's option.
    .addHelpText('afterAll', '\n`ferry --version` (or -V) prints the version of ferry.')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Keep commander's "(Did you mean ...?)" on the error's own line: one line per usage error.
      outputError: (text, write) => write(text.replace(/\n(?=\(Did you mean)/, ' ')),
    });
  for (const command of commands) addCommand(program, command, io, onExit);
  return program;
}

function addCommand(
  program: Command,
  spec: FerryCommand,
  io: CliIo,
  onExit: (code: number) => void,
) {
  const command = program.command(spec.name).description(spec.summary);
  for (const arg of spec.arguments) {
    const name = arg.variadic ? `${arg.name}...` : arg.name;
    command.argument(arg.optional ? `[${name}]` : `<${name}>`, arg.description);
  }
  for (const option of spec.options) {
    const built = new Option(option.flags, option.description);
    if (option.required) built.makeOptionMandatory();
    if (option.default !== undefined) built.default(option.default);
    if (option.parse) built.argParser(option.parse);
    command.addOption(built);
  }
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const globals = self.optsWithGlobals<{ server: string; json?: boolean }>();
    const shared = { server: globals.server, json: globals.json === true };
    const context = commandContext(io, shared);
    try {
      // A variadic argument arrives as an array: spread it into the trailing args.
      const args = (self.processedArgs as (string | string[] | undefined)[]).flat();
      onExit(await spec.run(args, self.opts(), context));
    } catch (error) {
      onExit(renderCliError(error, io, shared.json));
    }
  });
}
