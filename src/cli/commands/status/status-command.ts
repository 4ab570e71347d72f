import { defineCommand } from '../../define-command.js';
import { runStatus } from './run-status.js';

/** `ferry status [service]`: what is live where, and what is rolling out. */
export const statusCommand = defineCommand({
  name: 'status',
  summary: 'Show live versions, active rollouts and instances per service and environment',
  arguments: [{ name: 'service', description: 'only this service', optional: true }],
  input: (args) => ({ service: args[0] }),
  handler: runStatus,
});
