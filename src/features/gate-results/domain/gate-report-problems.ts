import { gateStatuses } from './gate-result.js';

/** Gate and value names: what an environment's `require` can name. */
export const gateNamePattern = /^[a-z][a-z0-9_.-]*$/;
export const maxGateNameLength = 100;
/** The most values one report may carry. */
export const maxGateValues = 50;
export const maxGateUrlLength = 2048;

/** What a reporter says about a gate, before Ferry has checked it. */
export interface GateReportFields {
  readonly name: string;
  readonly status: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly url: string | null;
}

/** One thing wrong with a report: the field (`values.coverage`) and what to do about it. */
export interface ReportProblem {
  readonly path: string;
  readonly message: string;
}

const nameRule = 'lowercase letters, digits, _, . and -, starting with a letter';

/**
 * Every problem of a report at once, empty when it may be stored: a gate name `require` can
 * name, `passed` or `failed`, at most 50 finite numbers under such names, and an http(s) URL.
 */
export function gateReportProblems(report: GateReportFields): ReportProblem[] {
  const problems: ReportProblem[] = [];
  const nameProblem = problemOfName(report.name, 'gate name');
  if (nameProblem) problems.push({ path: 'name', message: nameProblem });
  if (!(gateStatuses as readonly string[]).includes(report.status)) {
    problems.push({
      path: 'status',
      message: `"${report.status}" is not a status: expected passed or failed`,
    });
  }
  const entries = Object.entries(report.values);
  if (entries.length > maxGateValues) {
    problems.push({
      path: 'values',
      message: `${entries.length} values; a report carries at most ${maxGateValues}`,
    });
  }
  for (const [key, value] of entries.slice(0, maxGateValues)) {
    const keyProblem = problemOfName(key, 'value name');
    if (keyProblem) problems.push({ path: `values.${key}`, message: keyProblem });
    else if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({
        path: `values.${key}`,
        message: `${JSON.stringify(value) ?? String(value)} is not a finite number`,
      });
    }
  }
  if (report.url !== null) {
    const urlProblem = problemOfUrl(report.url);
    if (urlProblem) problems.push({ path: 'url', message: urlProblem });
  }
  return problems;
}

function problemOfName(name: string, what: string): string | undefined {
  if (name.length > maxGateNameLength) {
    return `${what} is ${name.length} characters long; at most ${maxGateNameLength}`;
  }
  return gateNamePattern.test(name) ? undefined : `"${name}" is not a ${what}: ${nameRule}`;
}

function problemOfUrl(url: string): string | undefined {
  if (url.length > maxGateUrlLength) return `the URL is longer than ${maxGateUrlLength} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL: expected one such as https://ci.example.com/job/1`;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:'
    ? undefined
    : `"${url}" is not an http(s) URL`;
}
