import { InvalidArgumentError } from 'commander';
import { metaKeyProblems } from '../../../features/artifacts/domain/artifact-metadata.js';
import { defineCommand } from '../../define-command.js';
import { booleanOption, stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';
import { runArtifact, type ArtifactInput } from './run-artifact.js';

const actions = 'list, show, push or gc';

/**
 * `ferry artifact list web`, `show web v2`, `push web ./dist --version v3`, `gc --dry-run`: the
 * artifacts of a service, pushing one without deploying it, and retention.
 */
export const artifactCommand = defineCommand({
  name: 'artifact',
  summary: `Artifacts of a service: ${actions}`,
  arguments: [
    { name: 'action', description: actions },
    { name: 'service', description: 'service name from ferry.yaml', optional: true },
    {
      name: 'target',
      description: 'show: the version label; push: a folder or a .tar.gz file',
      optional: true,
    },
  ],
  options: [
    { flags: '--version <label>', description: 'push: the version label, e.g. v1.2.3' },
    {
      flags: '--commit <sha>',
      description: "push: source commit (a folder's git HEAD by default)",
    },
    { flags: '--branch <name>', description: 'push: the branch it was built from' },
    { flags: '--build-url <url>', description: 'push: where the build is (a CI job)' },
    {
      flags: '--meta <key=value>',
      description: 'push: build metadata; repeat for more',
      parse: collectMeta,
    },
    { flags: '--service <name>', description: 'gc: only this service' },
    { flags: '--dry-run', description: 'gc: show what would be deleted and why the rest stays' },
  ],
  input: (args, options): ArtifactInput => {
    const [action, service, target] = args;
    if (action === 'gc') {
      if (service !== undefined) {
        throw new UsageError('artifact gc takes no <service>; use --service <name>');
      }
      const only = stringOption(options, 'service');
      return {
        action,
        ...(only !== undefined ? { service: only } : {}),
        dryRun: booleanOption(options, 'dryRun'),
      };
    }
    if (action !== 'list' && action !== 'show' && action !== 'push') {
      throw new UsageError(`unknown artifact action "${action ?? ''}"; expected ${actions}`);
    }
    if (service === undefined) throw new UsageError('missing <service>');
    if (action === 'list') {
      if (target !== undefined) throw new UsageError('artifact list takes no <version>');
      return { action, service };
    }
    if (action === 'show') {
      if (target === undefined)
        throw new UsageError('missing <version>: artifact show <service> <version>');
      return { action, service, version: target };
    }
    const version = stringOption(options, 'version');
    if (target === undefined) {
      throw new UsageError(
        'missing <dir|tarball>: artifact push <service> <dir|tarball> --version <label>',
      );
    }
    if (version === undefined) throw new UsageError('artifact push needs --version <label>');
    return {
      action,
      service,
      path: target,
      version,
      commit: stringOption(options, 'commit') ?? null,
      branch: stringOption(options, 'branch') ?? null,
      buildUrl: stringOption(options, 'buildUrl') ?? null,
      meta: (options['meta'] as Record<string, string> | undefined) ?? {},
    };
  },
  handler: runArtifact,
});

/** `--meta pr=42 --meta builder=gha` → `{ pr: '42', builder: 'gha' }`. */
function collectMeta(value: string, previous: unknown): Record<string, string> {
  const at = value.indexOf('=');
  const key = at < 0 ? value : value.slice(0, at);
  const problem = metaKeyProblems(key)[0];
  if (at < 0 || problem) {
    throw new InvalidArgumentError(
      at < 0 ? 'expected key=value.' : `"${key}": ${problem!.message}.`,
    );
  }
  return { ...(previous as Record<string, string> | undefined), [key]: value.slice(at + 1) };
}
