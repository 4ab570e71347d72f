import type { AnalysisRunView } from '../../../features/deployments/rollout-view.js';
import type { RolloutView, TrackStats } from '../../api-types.js';
import { renderTable } from '../../render-table.js';

const stepMarkers = { done: '✓', current: '▶', pending: ' ' } as const;

const strategyNames = {
  rolling: 'rolling update',
  canary: 'canary',
  blueGreen: 'blue-green',
} as const;

/** Values of a metric `ferry rollout get` shows: the last few. */
const shownValues = 5;

/**
 * `ferry rollout get` for people: the deployment line, the steps, the traffic split, a table
 * of tracks and the analysis runs (times in UTC).
 *
 * @example
 * web prod: dep-7 v2 Paused (paused at step 2/3: run "ferry rollout promote" to go on)
 * canary, 3 steps:
 * ✓ 1. setWeight 10%
 * ▶ 2. pause (until promoted)
 *   3. setWeight 50%
 * traffic: canary 10% · header x-canary exact "yes" · mirror 50%
 *
 * TRACK   VERSION  READY  REQUESTS  5XX  P50   P95   P99   BY-HEADER  BY-COOKIE
 * stable  v1       2/2    1200      3    12ms  40ms  81ms  0          0
 * canary  v2       1/1    130       0    9ms   31ms  70ms  40         0
 * mirror: 120 sent, 3 skipped, 2 failed
 *
 * Analysis:
 * step-2  Failed  12:00:05–12:00:15  errors/error-rate: 2 failed, more than failureLimit 1; last: 0.31 is above max 0.05
 *   errors/error-rate  Failed  0.28 0.31  (2 failed / 2)
 */
export function formatRolloutView(view: RolloutView): string {
  const sections = [`${deploymentLine(view)}\n${formatRolloutSteps(view)}`];
  if (view.tracks.length > 0) sections.push(tracksTable(view) + mirrorLine(view));
  if (view.analysis !== undefined && view.analysis.length > 0) {
    sections.push(formatAnalysis(view.analysis));
  }
  return sections.join('\n');
}

/**
 * One line per run (name, phase, when, why), then one indented line per metric: its phase, its
 * last few values and its tallies. Names and phases line up in columns.
 */
export function formatAnalysis(runs: readonly AnalysisRunView[]): string {
  const runRows = runs.map((run) => [
    run.name,
    run.phase,
    span(run),
    [run.message, run.overriddenBy && `overridden by ${run.overriddenBy}`]
      .filter((part) => part)
      .join('; '),
  ]);
  const runLines = columns(runRows);
  const lines = runs.flatMap((run, i) => [
    runLines[i] ?? '',
    ...columns(run.metrics.map((metric) => [metric.name, metric.phase, metricFigures(metric)])).map(
      (line) => `  ${line}`,
    ),
  ]);
  return ['Analysis:', ...lines].map((line) => `${line}\n`).join('');
}

type MetricView = AnalysisRunView['metrics'][number];

/** `0.28 0.31  (2 failed / 2)`: the last values, then the tallies. */
function metricFigures(metric: MetricView): string {
  const tallies = [
    [metric.successful, 'successful'],
    [metric.failed, 'failed'],
    [metric.inconclusive, 'inconclusive'],
    [metric.error, metric.error === 1 ? 'error' : 'errors'],
  ] as const;
  const taken = tallies.reduce((sum, [n]) => sum + n, 0);
  const dryRun = metric.dryRun ? ', dry run' : '';
  if (metric.measurements.length === 0) return `(no measurements yet${dryRun})`;
  const counted = tallies.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
  const values = metric.measurements.slice(-shownValues).map((m) => valueText(m.value));
  return `${values.join(' ')}  (${counted.join(', ')} / ${taken}${dryRun})`;
}

/** `12:00:05–12:00:15`, or `since 12:00:05` while it runs. */
function span(run: AnalysisRunView): string {
  const time = (iso: string) => iso.slice(11, 19);
  return run.finishedAt === null
    ? `since ${time(run.startedAt)}`
    : `${time(run.startedAt)}–${time(run.finishedAt)}`;
}

/** A measured value in a few characters: `0.3142`, `1235000`, `-` for none, JSON cut short. */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return String(Number(value.toPrecision(4)));
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 16 ? `${text.slice(0, 15)}…` : text;
}

/** Cells two spaces apart, every column but the last padded to its widest cell. */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `web prod: dep-7 v2 Paused (reason)`, or that there is no deployment yet. */
export function deploymentLine({ service, environment, deployment: d }: RolloutView): string {
  if (!d) return `${service} ${environment}: no deployment yet`;
  return `${service} ${environment}: ${d.id} ${d.version} ${d.phase}${d.reason ? ` (${d.reason})` : ''}`;
}

/** The short view after an action: the strategy, its steps with markers, the traffic split. */
export function formatRolloutSteps(view: RolloutView): string {
  const { steps } = view;
  const strategy = strategyNames[view.strategy];
  const lines = [
    steps.length === 0 ? `${strategy} (no steps)` : `${strategy}, ${count(steps.length, 'step')}:`,
    ...steps.map((s) => `${stepMarkers[s.state]} ${s.index + 1}. ${s.text}`),
    `traffic: ${trafficText(view)}`,
  ];
  return lines.map((line) => `${line}\n`).join('');
}

/** `canary 10% · header x-canary exact "yes" · mirror 50%` or `active: stable, preview open`. */
export function trafficText({ strategy, traffic }: RolloutView): string {
  if (!traffic) return 'not split';
  if (strategy === 'blueGreen') {
    return `active: ${traffic.active ?? 'stable'}, preview ${traffic.preview ? 'open' : 'closed'}`;
  }
  const parts = [`canary ${traffic.canaryWeight}%`];
  if (traffic.baselineWeight > 0) parts.push(`baseline ${traffic.baselineWeight}%`);
  if (traffic.matches.length > 0) parts.push(traffic.matches.join(' or '));
  if (traffic.mirrorPercent > 0) parts.push(`mirror ${traffic.mirrorPercent}%`);
  return parts.join(' · ');
}

/**
 * One row per track; the requests header and cookie matches routed (`by-header`, `by-cookie`)
 * when the rollout routes by match or did.
 */
function tracksTable({ tracks, traffic }: RolloutView): string {
  const matched =
    (traffic?.matches.length ?? 0) > 0 ||
    tracks.some((t) => (t.headerMatches ?? 0) + (t.cookieMatches ?? 0) > 0);
  const headers = ['track', 'version', 'ready', 'requests', '5xx', 'p50', 'p95', 'p99'];
  const row = (t: TrackStats) => [
    t.track,
    t.version,
    `${t.ready}/${t.total}`,
    t.requests,
    t.errors5xx,
    ms(t.p50Ms),
    ms(t.p95Ms),
    ms(t.p99Ms),
  ];
  return matched
    ? renderTable(
        [...headers, 'by-header', 'by-cookie'],
        tracks.map((t) => [...row(t), t.headerMatches, t.cookieMatches]),
      )
    : renderTable(headers, tracks.map(row));
}

/** `mirror: 120 sent, 3 skipped, 2 failed` while a canary mirrors or once it did; else ''. */
function mirrorLine({ strategy, traffic, mirror }: RolloutView): string {
  if (strategy !== 'canary' || traffic === null) return '';
  if (traffic.mirrorPercent === 0 && mirror.sent + mirror.skipped === 0) return '';
  return `mirror: ${mirror.sent} sent, ${mirror.skipped} skipped, ${mirror.failed} failed\n`;
}

/** `12ms`, `0.4ms`; null stays null so the table shows `-`. */
function ms(value: number | null): string | null {
  return value === null ? null : `${Number(value.toFixed(1))}ms`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
