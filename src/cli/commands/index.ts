import type { FerryCommand } from '../define-command.js';
import { approvalsCommand } from './approvals/approvals-command.js';
import { applyCommand } from './apply/apply-command.js';
import { auditCommand } from './audit/audit-command.js';
import { artifactCommand } from './artifact/artifact-command.js';
import { deployCommand } from './deploy/deploy-command.js';
import { envCommand } from './env/env-command.js';
import { promoteCommand } from './promote/promote-command.js';
import { eventsCommand } from './events/events-command.js';
import { gateCommand } from './gate/gate-command.js';
import { historyCommand } from './history/history-command.js';
import { loginCommand } from './login/login-command.js';
import { migrationsCommand } from './migrations/migrations-command.js';
import { logsCommand } from './logs/logs-command.js';
import { rollbackCommand } from './rollback/rollback-command.js';
import { rolloutCommand } from './rollout/rollout-command.js';
import { routerCommand } from './router/router-command.js';
import { schemaCommand } from './schema/schema-command.js';
import { serverCommand } from './server/server-command.js';
import { startCommand } from './start/start-command.js';
import { statusCommand } from './status/status-command.js';
import { stopCommand } from './stop/stop-command.js';
import { tokenCommand } from './token/token-command.js';
import { validateCommand } from './validate/validate-command.js';

/** Every `ferry` command, in the order `ferry --help` lists them. */
export const commands: readonly FerryCommand[] = [
  serverCommand,
  routerCommand,
  validateCommand,
  schemaCommand,
  applyCommand,
  deployCommand,
  promoteCommand,
  envCommand,
  rollbackCommand,
  rolloutCommand,
  stopCommand,
  startCommand,
  statusCommand,
  historyCommand,
  artifactCommand,
  gateCommand,
  migrationsCommand,
  logsCommand,
  eventsCommand,
  loginCommand,
  tokenCommand,
  auditCommand,
  approvalsCommand,
];
