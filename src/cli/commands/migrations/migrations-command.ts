import { defineCommand } from '../../define-command.js';
import { contractMigrations } from './contract-migrations.js';
import { lintMigrationsAction } from './lint-migrations-action.js';
import { migrationsInput } from './migrations-input.js';
import { migrationsStatus } from './migrations-status.js';

/**
 * `ferry migrations lint <dir|file...>`: squawk and Ferry's expand/contract classification,
 * findings as `file:line:col severity rule: message`. `ferry migrations status [--env prod]
 * [--service web]`: applied, pending expand, pending contract and why it waits, checksum
 * mismatches. `ferry migrations contract web --env prod`: run the contract migrations that are
 * safe now.
 */
export const migrationsCommand = defineCommand({
  name: 'migrations',
  summary: 'Database migrations: lint, status per environment, contract once it is safe',
  arguments: [
    { name: 'action', description: 'lint, status or contract' },
    {
      name: 'paths',
      description: 'lint: a migrations folder or .sql files; contract: the service',
      optional: true,
      variadic: true,
    },
  ],
  options: [
    { flags: '--env <environment>', description: 'the environment (status: all by default)' },
    { flags: '--service <service>', description: 'status: one service only' },
  ],
  input: migrationsInput,
  handler: (input, context) => {
    switch (input.action) {
      case 'lint':
        return lintMigrationsAction(input, context);
      case 'status':
        return migrationsStatus(input, context);
      case 'contract':
        return contractMigrations(input, context);
    }
  },
});
