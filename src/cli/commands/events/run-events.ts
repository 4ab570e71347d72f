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
  readonly limit: number | undefined;
}

/** Pause before resuming a stream the server closed. */
const reconnectDelayMs = 1000;

/** A page of events, or the live stream until interrupted. `--json`: one event per line. */
export async function runEvents(input: EventsInput, context: CommandContext) {
  const { io, json } = context;
  const print = (event: FerryEvent) =>
    json ? writeJson(io.stdout, event, false) : writeLine(io.stdout, formatEvent(event));
  const { subject, kind, after } = input;
  if (!input.follow) {
    const events = await context.client().events({ subject, kind, after, limit: input.limit });
    events.forEach(print);
    return exitCodes.ok;
  }
  const interrupt = interruptSignal(io);
  try {
    let cursor = after;
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
