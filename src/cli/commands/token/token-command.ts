import { defineCommand } from '../../define-command.js';
import { createToken } from './create-token.js';
import { listTokens } from './list-tokens.js';
import { revokeToken } from './revoke-token.js';
import { collectEnvironment, tokenInput, type TokenInput } from './token-input.js';

/**
 * `ferry token create <name> [--role deployer] [--env staging]... [--expires 30d]`: a new API
 * token, its secret printed once.
 * `ferry token list`: every token, never a secret. `ferry token revoke <id>`: for good.
 */
export const tokenCommand = defineCommand({
  name: 'token',
  summary: 'Manage API tokens: create (shows the secret once), list, revoke',
  arguments: [
    { name: 'action', description: 'create, list or revoke' },
    { name: 'target', description: 'create: a name for the token; revoke: its id', optional: true },
  ],
  options: [
    {
      flags: '--expires <lifetime>',
      description: 'create: the token stops working after this, e.g. 90m, 12h, 30d, 8w',
    },
    {
      flags: '--role <role>',
      description: 'create: viewer, deployer, approver or admin (default admin)',
    },
    {
      flags: '--env <environment>',
      description: 'create: an environment the role applies to (repeatable; default every one)',
      parse: collectEnvironment,
    },
  ],
  input: (args, options): TokenInput => tokenInput(args, options),
  handler: (input, context) => {
    switch (input.action) {
      case 'create':
        return createToken(input, context);
      case 'list':
        return listTokens(context);
      case 'revoke':
        return revokeToken(input, context);
    }
  },
});
