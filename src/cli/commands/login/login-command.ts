import { defineCommand } from '../../define-command.js';
import { runLogin } from './run-login.js';

/** `ferry login [--server URL] < token`: check a token and save it for that server. */
export const loginCommand = defineCommand({
  name: 'login',
  summary: 'Check an API token against the server and save it (read from stdin or a prompt)',
  input: () => ({}),
  handler: runLogin,
});
