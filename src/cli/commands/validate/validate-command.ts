import { defineCommand } from '../../define-command.js';
import { requiredString } from '../../option-values.js';
import { runValidate } from './run-validate.js';

/** `ferry validate [-f FILE]`: check a ferry.yaml without starting anything. */
export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'Check a ferry.yaml and report every mistake with file:line:col',
  options: [{ flags: '-f, --file <path>', description: 'the config file', default: 'ferry.yaml' }],
  input: (_args, options) => ({ file: requiredString(options, 'file') }),
  handler: runValidate,
});
