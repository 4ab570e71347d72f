/** Something text can be written to: a process stream, or a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * The outside world a CLI run sees. `main` takes one so tests run commands in-process with
 * buffers, an environment of their choosing and an AbortSignal standing in for Ctrl-C.
 */
export interface CliIo {
  /** Results for programs: tables, `--json` documents, log lines. */
  readonly stdout: TextSink;
  /** Messages for people: progress, confirmations, errors. */
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: live, redrawn progress only then. */
  readonly isTTY: boolean;
  /** What `ferry login` reads a token from: piped text, or a hidden prompt on a terminal. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Ends long-running commands (`server`, `events --follow`); defaults to SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** How often rollouts are polled while following them. Default 500 ms. */
  readonly pollIntervalMs?: number;
}

/** The real process: its streams, environment and terminal. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    stdin: process.stdin,
  };
}

/** Writes one line (a newline is added). */
export function writeLine(sink: TextSink, text: string): void {
  sink.write(`${text}\n`);
}

/** Writes a value as one JSON document on its own line; `pretty` indents it for reading. */
export function writeJson(sink: TextSink, value: unknown, pretty = true): void {
  sink.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}
