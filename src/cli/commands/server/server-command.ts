import { InvalidArgumentError } from 'commander';
import { authModes, type AuthMode } from '../../../features/auth/domain/auth-mode.js';
import { canonicalPath } from '../../../shared/canonical-path.js';
import { defineCommand } from '../../define-command.js';
import { booleanOption, requiredString, stringOption } from '../../option-values.js';
import { runServer } from './run-server.js';

/**
 * `ferry server`: run the control plane in the foreground until Ctrl-C. The routes are served by
 * the data folder's `ferry router` process, which the server adopts or starts and which keeps
 * serving when the server stops, crashes or is upgraded.
 */
export const serverCommand = defineCommand({
  name: 'server',
  summary:
    'Run the Ferry server (API, controller) until interrupted; its router process keeps serving after it stops',
  options: [
    { flags: '-f, --file <path>', description: 'the config file', default: 'ferry.yaml' },
    {
      flags: '--data <dir>',
      description: 'where state, artifacts and releases live',
      default: '.ferry',
    },
    {
      flags: '--store <url>',
      description:
        'keep the database in PostgreSQL (postgres://user@host:port/db) instead of ferry.db in --data (env: FERRY_STORE)',
    },
    {
      flags: '--listen <host:port>',
      description: 'API listen address (env: FERRY_LISTEN, default 127.0.0.1:7700)',
    },
    {
      flags: '--auth <mode>',
      description: 'auto: API tokens required unless --listen is loopback; required: everywhere',
      default: 'auto',
      parse: authMode,
    },
    {
      flags: '--upgrade',
      description:
        "replace the running router's workers with this Ferry's code, one by one, without refusing a request (done anyway when they run another version)",
    },
    {
      flags: '--log-level <level>',
      description: 'server log level on stderr (env: FERRY_LOG_LEVEL, default info)',
    },
  ],
  input: (_args, options) => ({
    configPath: requiredString(options, 'file'),
    // Absolute from here on: stored paths must not depend on the directory a restart runs in.
    dataDir: canonicalPath(requiredString(options, 'data')),
    store: stringOption(options, 'store'),
    listen: stringOption(options, 'listen'),
    logLevel: stringOption(options, 'logLevel'),
    auth: authMode(requiredString(options, 'auth')),
    upgradeRouter: booleanOption(options, 'upgrade'),
  }),
  handler: runServer,
});

function authMode(value: string): AuthMode {
  const mode = authModes.find((m) => m === value);
  if (!mode) throw new InvalidArgumentError(`expected ${authModes.join(' or ')}.`);
  return mode;
}
