/** What CI says of a gate: it passed or it failed. */
export const gateStatuses = ['passed', 'failed'] as const;
export type GateStatus = (typeof gateStatuses)[number];

/**
 * Evidence attached to an artifact by CI: `tests passed`, `coverage=83.2`. Immutable: a newer
 * report of the same gate supersedes an older one, and both stay visible.
 */
export interface GateResult {
  readonly id: string;
  readonly service: string;
  /** The artifact's version label when it was reported. */
  readonly version: string;
  /** The artifact the evidence is about: `sha256:…`. */
  readonly digest: string;
  /** The gate's name: `tests`, `scan`, `coverage`, `bench`. */
  readonly name: string;
  readonly status: GateStatus;
  /** Measured values, such as `{ coverage: 83.2, critical_vulnerabilities: 0 }`. */
  readonly values: Readonly<Record<string, number>>;
  /** Where a person reads the details (a CI job, a report). */
  readonly url: string | null;
  /** Who reported it: a token's name, `cdevents:<source>`, `user:local`. */
  readonly reporter: string;
  /** ISO-8601 UTC. */
  readonly reportedAt: string;
}
