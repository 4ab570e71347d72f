import { gateNamePattern, maxGateNameLength } from './gate-report-problems.js';
import type { GateStatus } from './gate-result.js';

/** A CloudEvent as far as the CDEvents intake reads it. */
export interface IncomingCloudEvent {
  readonly type: string;
  readonly source: string;
  readonly data: unknown;
}

/** Gate evidence a CDEvent carries, for GateResultService.report. */
export interface CdeventReport {
  readonly service: string;
  readonly version: string;
  readonly name: string;
  readonly status: GateStatus;
  readonly values: Readonly<Record<string, unknown>>;
  readonly url: string | null;
  readonly reporter: string;
}

/** Why an event cannot be taken in, as `extra.reason` of the 422. */
export const unprocessableReasons = [
  'unknown_type',
  'not_a_cdevent',
  'no_outcome',
  'no_artifact',
] as const;
export type UnprocessableReason = (typeof unprocessableReasons)[number];

export type CdeventIntake =
  | { readonly kind: 'evidence'; readonly report: CdeventReport }
  | { readonly kind: 'ignored'; readonly reason: string }
  | {
      readonly kind: 'unprocessable';
      readonly reason: UnprocessableReason;
      readonly message: string;
    };

/** `dev.cdevents.testsuiterun.finished.0.*`: every 0.x version of the event. */
const testSuiteRunFinished =
  /^dev\.cdevents\.testsuiterun\.finished\.0\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** `dev.cdevents.<subject>.<predicate>.<major>.<minor>.<patch>[-pre]`: any CDEvent type. */
const cdeventType = /^dev\.cdevents\.[a-z]+\.[a-z]+\.\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

const passing = ['pass', 'success'];
const failing = ['fail', 'failure', 'error', 'cancel'];

const artifactHint =
  'name the artifact in customData.ferry: { "service": "web", "version": "v2" } ' +
  'or { "artifactId": "pkg:generic/web@v2" }';

/**
 * What a CDEvent means to Ferry. A `testsuiterun.finished` becomes evidence about the artifact
 * `customData.ferry` names: outcome pass/success → passed, fail/failure/error/cancel → failed;
 * the gate is `customData.ferry.gate`, else the suite's name or id (lowercased, made a gate
 * name), else `tests`. Other CDEvents are ignored; anything else is unprocessable.
 *
 * The testSuiteRun subject names no artifact (CDEvents v0.4/v0.5), so the producer says which
 * one in `customData.ferry`, by service and version or by a purl as CDEvents' `artifactId`s are.
 */
export function cdeventIntake(event: IncomingCloudEvent): CdeventIntake {
  if (!testSuiteRunFinished.test(event.type)) {
    // Evidence in a version Ferry cannot read is refused, not lost.
    return cdeventType.test(event.type) &&
      !event.type.startsWith('dev.cdevents.testsuiterun.finished.')
      ? { kind: 'ignored', reason: `Ferry does not use ${event.type} events` }
      : unprocessable(
          'unknown_type',
          `"${event.type}" is not a CDEvents type Ferry knows; it takes dev.cdevents.testsuiterun.finished.0.x`,
        );
  }
  const data = objectOr(event.data);
  const content = objectOr(objectOr(data?.['subject'])?.['content']);
  if (!data || !content) {
    return unprocessable('not_a_cdevent', 'the event data is not a CDEvent: no subject.content');
  }
  const outcome = content['outcome'] ?? content['status'];
  const status =
    typeof outcome === 'string' && passing.includes(outcome)
      ? 'passed'
      : typeof outcome === 'string' && failing.includes(outcome)
        ? 'failed'
        : undefined;
  if (!status) {
    return unprocessable(
      'no_outcome',
      `subject.content.outcome is ${JSON.stringify(outcome) ?? 'missing'}; expected one of ${[...passing, ...failing].join(', ')}`,
    );
  }
  const ferry = objectOr(objectOr(data['customData'])?.['ferry']);
  const artifact = ferry && artifactOf(ferry);
  if (!ferry || !artifact)
    return unprocessable('no_artifact', `no artifact named: ${artifactHint}`);
  const suite = objectOr(content['testSuite']);
  const name =
    stringOr(ferry['gate']) ??
    gateNameOf(stringOr(suite?.['name'])) ??
    gateNameOf(stringOr(suite?.['id'])) ??
    'tests';
  return {
    kind: 'evidence',
    report: {
      ...artifact,
      name,
      status,
      values: objectOr(ferry['values']) ?? {},
      url: stringOr(ferry['url']) ?? null,
      reporter: `cdevents:${event.source}`,
    },
  };
}

/**
 * A suite's name as a gate name: `Auth TestSuite` → `auth-testsuite`. Undefined when nothing of
 * it is left.
 */
export function gateNameOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, maxGateNameLength);
  return gateNamePattern.test(name) ? name : undefined;
}

/**
 * `{ service, version }`, or a purl such as `pkg:generic/web@v2?checksum=…`: its name is the
 * service and its version the version.
 */
function artifactOf(
  ferry: Record<string, unknown>,
): { service: string; version: string } | undefined {
  const service = stringOr(ferry['service']);
  const version = stringOr(ferry['version']);
  if (service && version) return { service, version };
  const purl = stringOr(ferry['artifactId']);
  const match = purl && /^pkg:[^/]+\/(?:[^@?#]*\/)?([^/@?#]+)@([^?#]+)/.exec(purl);
  if (!match) return undefined;
  try {
    return { service: decodeURIComponent(match[1]!), version: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

function unprocessable(reason: UnprocessableReason, message: string): CdeventIntake {
  return { kind: 'unprocessable', reason, message };
}

function objectOr(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
