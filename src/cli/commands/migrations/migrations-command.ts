import { defineCommand } from '../../define-command.js';
import { contractMigrations } from './contract-migrations.js';
import { migrationsInput } from './migrations-input.js';
import { migrationsStatus } from './migrations-status.js';

/**
 * `ferry migrations status [--env prod] [--service web]`: applied, pending expand, pending
 * contract and why it waits, checksum mismatches. `ferry migrations contract web --env prod`: run
 * the contract migrations that are safe now.
 */
export const migrationsCommand = defineCommand({
  name: 'migrations',
  summary: 'Database migrations: status per environment, contract once it is safe',
  arguments: [
    { name: 'action', description: 'status or contract' },
    { name: 'service', description: 'contract: service name from ferry.yaml', optional: true },
  ],
  options: [
    { flags: '--env <environment>', description: 'the environment (status: all by default)' },
    { flags: '--service <service>', description: 'status: one service only' },
  ],
  input: migrationsInput,
  handler: (input, context) =>
    input.action === 'status'
      ? migrationsStatus(input, context)
      : contractMigrations(input, context),
});
