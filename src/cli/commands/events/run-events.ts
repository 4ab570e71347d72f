import type { FerryEvent } from '../../api-types.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { interruptSignal, sleep } from '../../interrupt-signal.js';
import { formatEvent } from './format-event.js';

export interface EventsInput {
  readonly follow: boolean;
  readonly subject: string | undefined;
  readonly kind: string | undefined;
  readonly after: number | undefined;
  /** Epoch ms: only events at or after it. */
  readonly since: number | undefined;
  readonly limit: number | undefined;
}

/** How many of the latest events `ferry events` shows without `--limit` or `--after`. */
export const defaultLatest = 50;

/** Pause before resuming a stream the server closed. */
const reconnectDelayMs = 1000;

/**
 * The latest events (oldest of them first, so the newest is last, next to the prompt), or those
 * after `--after`; then, with `--follow`, the live stream until interrupted. `--json`: one event
 * per line.
 */
export async function runEvents(input: EventsInput, context: CommandContext) {
  const { io, json } = context;
  const print = (event: FerryEvent) =>
    json ? writeJson(io.stdout, event, false) : writeLine(io.stdout, formatEvent(event));
  const { subject, kind, after } = input;
  const since = input.since === undefined ? undefined : new Date(input.since).toISOString();
  const page = await context.client().events({
    subject,
    kind,
    after,
    since,
    limit: input.limit ?? (after === undefined ? defaultLatest : undefined),
    order: after === undefined ? 'latest' : undefined,
  });
  page.forEach(print);
  if (!input.follow) return exitCodes.ok;
  const interrupt = interruptSignal(io);
  try {
    let cursor = page.at(-1)?.id ?? after;
    while (!interrupt.signal.aborted) {
      for await (const event of context
        .client()
        .streamEvents({ subject, kind, after: cursor }, interrupt.signal)) {
        print(event);
        cursor = event.id;
      }
      // The server ended the stream (restart, proxy timeout): resume where we were.
      await sleep(reconnectDelayMs, interrupt.signal);
    }
    return exitCodes.ok;
  } finally {
    interrupt.dispose();
  }
}
