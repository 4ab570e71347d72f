import { defineCommand } from '../../define-command.js';
import { routerInput } from './router-input.js';
import { runRouterCommand } from './run-router-command.js';
import { stopRouter } from './stop-router.js';
import { upgradeRouter } from './upgrade-router.js';

/**
 * `ferry router --data <dir>`: Ferry's data plane as a process of its own, in the foreground
 * (`ferry server` spawns it detached). `ferry router stop --data <dir>`: stops the one running
 * there. `ferry router upgrade --data <dir>`: replaces its workers with the code on disk, without
 * refusing a request.
 */
export const routerCommand = defineCommand({
  name: 'router',
  summary: 'Run the router process (data plane) of a data folder; or stop or upgrade it',
  arguments: [{ name: 'action', description: 'stop or upgrade; none: run it', optional: true }],
  options: [
    {
      flags: '--data <dir>',
      description: 'the data folder the router belongs to',
      default: '.ferry',
    },
    {
      flags: '--settings-json <json>',
      description:
        'router settings as JSON: { timeouts: { headersMs, idleMs }, trustedProxies, workers }',
    },
  ],
  input: routerInput,
  handler: (input, context) => {
    switch (input.action) {
      case 'run':
        return runRouterCommand(input, context);
      case 'stop':
        return stopRouter(input, context);
      case 'upgrade':
        return upgradeRouter(input, context);
    }
  },
});
