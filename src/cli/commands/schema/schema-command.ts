import { configJsonSchema } from '../../../config/config-json-schema.js';
import { writeJson } from '../../cli-io.js';
import { defineCommand } from '../../define-command.js';
import { exitCodes } from '../../exit-codes.js';

/** `ferry schema`: the JSON Schema of ferry.yaml, for editors (`> ferry.schema.json`). */
export const schemaCommand = defineCommand({
  name: 'schema',
  summary: 'Print the JSON Schema of ferry.yaml on stdout',
  input: () => ({}),
  handler: async (_input, { io }) => {
    writeJson(io.stdout, configJsonSchema());
    return exitCodes.ok;
  },
});
