import { defineCommand } from '../../define-command.js';
import { UsageError } from '../../usage-error.js';
import { runArtifact, type ArtifactInput } from './run-artifact.js';

/** `ferry artifact list web`, `ferry artifact show web v2`: the uploaded versions of a service. */
export const artifactCommand = defineCommand({
  name: 'artifact',
  summary: 'List the uploaded versions of a service, or show one: list, show',
  arguments: [
    { name: 'action', description: 'list or show' },
    { name: 'service', description: 'service name from ferry.yaml' },
    { name: 'version', description: 'show: the version label', optional: true },
  ],
  options: [],
  input: (args): ArtifactInput => {
    const [action, service, version] = args;
    if (service === undefined) throw new UsageError('missing <service>');
    if (action === 'list') {
      if (version !== undefined) throw new UsageError('artifact list takes no <version>');
      return { action, service };
    }
    if (action === 'show') {
      if (version === undefined)
        throw new UsageError('missing <version>: artifact show <service> <version>');
      return { action, service, version };
    }
    throw new UsageError(`unknown artifact action "${action ?? ''}"; expected list or show`);
  },
  handler: runArtifact,
});
