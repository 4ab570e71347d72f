import { z } from 'zod';
import { configSchema } from './config-schema.js';

/**
 * JSON Schema (draft 2020-12) of ferry.yaml as users write it, for editor completion and
 * validation, e.g. with `# yaml-language-server: $schema=ferry.schema.json`. Generated from the
 * same zod schema the loader uses, in input mode, so durations stay strings and defaults show.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'ferry.yaml',
    description: 'Ferry deployment configuration',
  };
}
