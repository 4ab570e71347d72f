import { defineCommand } from '../../define-command.js';
import { lintMigrationsAction } from './lint-migrations-action.js';
import { migrationsInput } from './migrations-input.js';

/**
 * `ferry migrations lint <dir|file...> [--json]`: squawk and Ferry's expand/contract
 * classification on migration files, findings as `file:line:col severity rule: message`.
 */
export const migrationsCommand = defineCommand({
  name: 'migrations',
  summary: 'Database migrations: lint (squawk and the expand/contract phases)',
  arguments: [
    { name: 'action', description: 'lint' },
    {
      name: 'paths',
      description: 'lint: a migrations folder or .sql files',
      optional: true,
      variadic: true,
    },
  ],
  input: migrationsInput,
  handler: (input, context) => {
    switch (input.action) {
      case 'lint':
        return lintMigrationsAction(input, context);
    }
  },
});
