import { FerryError, InvalidRequestError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { Artifact } from '../artifacts/artifact.js';
import type { EventLog } from '../events/event-log.js';
import { gateReportProblems } from './domain/gate-report-problems.js';
import type { GateResult, GateStatus } from './domain/gate-result.js';
import type { GateResultStore } from './gate-result-store.js';

/** What CI reports about an artifact, named by its service and version label. */
export interface GateReport {
  readonly service: string;
  readonly version: string;
  readonly name: string;
  readonly status: GateStatus | string;
  readonly values?: Readonly<Record<string, unknown>>;
  readonly url?: string | null;
  /** Who reports it: `token:<id>`, `local`, `cdevents:<source>`. */
  readonly reporter: string;
}

/** A report as listed: whether a newer report of the same gate supersedes it. */
export interface ListedGateResult extends GateResult {
  readonly superseded: boolean;
}

/** Finds an artifact by service and version; throws `not_found` when there is none. */
export type ArtifactLookup = (service: string, version: string) => Promise<Artifact>;

/**
 * Takes in gate evidence about artifacts (from the API, the CLI and CDEvents) and lists it.
 * Evidence is immutable: every report is appended, with the `gate.reported` event.
 */
export class GateResultService {
  constructor(
    private readonly store: GateResultStore,
    private readonly artifact: ArtifactLookup,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly idOf: (prefix: string, now: number) => string = newId,
  ) {}

  /**
   * Checks a report (every problem at once, `invalid_request`), resolves its artifact's digest
   * (`not_found` for a version never pushed or deployed), and appends it.
   */
  async report(report: GateReport): Promise<GateResult> {
    const values = report.values ?? {};
    const url = report.url ?? null;
    const problems = gateReportProblems({ ...report, values, url });
    const [first] = problems;
    if (first) {
      throw new InvalidRequestError(
        `invalid gate report: ${first.path}: ${first.message}`,
        problems,
      );
    }
    const artifact = await this.resolve(report.service, report.version);
    const now = this.clock.now();
    const result: GateResult = {
      id: this.idOf('gate', now),
      service: report.service,
      version: report.version,
      digest: artifact.digest,
      name: report.name,
      status: report.status as GateStatus,
      values: values as Record<string, number>,
      url,
      reporter: report.reporter,
      reportedAt: new Date(now).toISOString(),
    };
    await this.store.append(result);
    await this.events.append({
      actor: report.reporter,
      kind: 'gate.reported',
      subject: `artifact/${report.service}/${report.version}`,
      payload: { ...result },
    });
    return result;
  }

  /**
   * Every report about the artifact a version label names (by its digest), newest first; each
   * says whether a newer report of the same gate supersedes it.
   */
  async list(service: string, version: string): Promise<ListedGateResult[]> {
    const artifact = await this.resolve(service, version);
    return markSuperseded(await this.store.listFor(service, artifact.digest));
  }

  /** Every report about one artifact by its digest, newest first: what `require` is checked on. */
  evidence(service: string, digest: string): Promise<readonly GateResult[]> {
    return this.store.listFor(service, digest);
  }

  private async resolve(service: string, version: string): Promise<Artifact> {
    try {
      return await this.artifact(service, version);
    } catch (error) {
      if (!(error instanceof FerryError) || error.code !== 'not_found') throw error;
      throw new FerryError(
        'not_found',
        `no artifact ${service} ${version}: gate results attach to an artifact that was pushed or deployed before`,
        { extra: { kind: 'artifact', name: `${service}@${version}` }, cause: error },
      );
    }
  }
}

/** Newest first in, newest first out: all but the newest report of each gate are superseded. */
export function markSuperseded(newestFirst: readonly GateResult[]): ListedGateResult[] {
  const seen = new Set<string>();
  return newestFirst.map((result) => {
    const superseded = seen.has(result.name);
    seen.add(result.name);
    return { ...result, superseded };
  });
}
