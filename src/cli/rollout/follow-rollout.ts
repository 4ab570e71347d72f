import { finalPhases, waitingPhases, type Deployment } from '../api-types.js';
import { writeLine } from '../cli-io.js';
import type { CommandContext } from '../command-context.js';
import { sleep } from '../interrupt-signal.js';
import { describeRollout, notReady, readiness } from './describe-rollout.js';
import { StatusLine } from './status-line.js';

export const defaultPollIntervalMs = 500;

/** Where following ends: the rollout is over, or it waits for a person (paused, aborted). */
const endPhases: readonly Deployment['phase'][] = [...finalPhases, ...waitingPhases];

/**
 * Polls a rollout until it ends or waits for a person, showing progress on stderr: one redrawn
 * line with instance readiness on a terminal, else a plain line per phase change. While the new
 * instances are not ready, their last readiness probe result is shown too (on a terminal in the
 * line, else a line each time a result changes). Returns the last deployment seen, or undefined
 * when `signal` fires first.
 */
export async function followRollout(
  start: Deployment,
  context: CommandContext,
  signal: AbortSignal,
): Promise<Deployment | undefined> {
  const { io } = context;
  const client = context.client();
  const interval = io.pollIntervalMs ?? defaultPollIntervalMs;
  const line = io.isTTY ? new StatusLine(io.stderr) : undefined;
  let current = start;
  let shownPhase: string | undefined;
  const shownProbes = new Map<string, string>();
  try {
    for (;;) {
      const status =
        current.phase === 'Progressing' || line
          ? await client.service(current.service).catch(() => undefined)
          : undefined;
      const probes = status ? notReady(status, current) : [];
      if (line) {
        const ready = status ? readiness(status, current) : '';
        const why = probes.length > 0 ? ` (${probes.join('; ')})` : '';
        line.update(
          `${describeRollout(current)}: ${current.phase}${ready ? `, ${ready}` : ''}${why}`,
        );
      } else {
        if (current.phase !== shownPhase) {
          writeLine(io.stderr, `${describeRollout(current)}: ${current.phase}`);
        }
        for (const probe of probes) {
          // A new result, not the same one counted once more.
          const [id = ''] = probe.split(': ', 1);
          const result = probe.replace(/, (once|\d+ times)$/, '');
          if (shownProbes.get(id) === result) continue;
          shownProbes.set(id, result);
          writeLine(io.stderr, `  not ready: ${probe}`);
        }
      }
      shownPhase = current.phase;
      if (endPhases.includes(current.phase)) return current;
      await sleep(interval, signal);
      if (signal.aborted) return undefined;
      current = await client.deployment(current.id);
    }
  } finally {
    line?.done();
  }
}
