import { spawnSync } from 'node:child_process';

/**
 * `git log --oneline from..to` in the current folder, when both artifacts carry a commit and git
 * knows them; undefined when it cannot say (no commits recorded, no git, unknown commits).
 */
export function commitsBetween(from: string | null, to: string | null): string[] | undefined {
  if (to === null) return undefined;
  const range = from === null ? ['-n', '20', to] : [`${from}..${to}`];
  const git = spawnSync('git', ['log', '--oneline', '--no-decorate', ...range], {
    encoding: 'utf8',
    timeout: 5_000,
  });
  if (git.status !== 0 || typeof git.stdout !== 'string') return undefined;
  return git.stdout.split('\n').filter((line) => line !== '');
}
