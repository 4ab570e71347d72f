import { writeJson } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { interruptSignal, sleep } from '../../interrupt-signal.js';
import { formatRolloutView } from './format-rollout-view.js';
import type { GetRolloutInput } from './rollout-input.js';

export const watchIntervalMs = 1000;

/** ESC[H home, ESC[2J clear the screen: each refresh replaces the last on a terminal. */
const clearScreen = '\x1b[H\x1b[2J';

/**
 * `ferry rollout get --watch`: fetches the view every second until interrupted, then exits 0.
 * On a terminal the screen is cleared and redrawn on every refresh; otherwise a new block (or,
 * with `--json`, one NDJSON line) is printed only when the view changed. `io.pollIntervalMs`
 * shortens the interval in tests.
 */
export async function watchRollout(input: GetRolloutInput, context: CommandContext) {
  const { io, json } = context;
  const client = context.client();
  const interval = io.pollIntervalMs ?? watchIntervalMs;
  const redraw = io.isTTY && !json;
  const interrupt = interruptSignal(io);
  try {
    let last: string | undefined;
    while (!interrupt.signal.aborted) {
      const view = await client.rollout(input.service, input.environment);
      const seen = JSON.stringify(view);
      if (redraw) {
        io.stdout.write(`${clearScreen}${formatRolloutView(view)}`);
      } else if (seen !== last) {
        if (json) writeJson(io.stdout, view, false);
        else io.stdout.write(`${last === undefined ? '' : '\n'}${formatRolloutView(view)}`);
      }
      last = seen;
      await sleep(interval, interrupt.signal);
    }
    return exitCodes.ok;
  } finally {
    interrupt.dispose();
  }
}
