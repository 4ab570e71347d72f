/** Exit codes of every `ferry` command. */
export const exitCodes = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** A followed rollout paused and waits for a person (`ferry rollout promote`). */
  paused: 3,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
