import type { RolloutView, TrackStats } from '../../api-types.js';
import { renderTable } from '../../render-table.js';

const stepMarkers = { done: '✓', current: '▶', pending: ' ' } as const;

const strategyNames = {
  rolling: 'rolling update',
  canary: 'canary',
  blueGreen: 'blue-green',
} as const;

/**
 * `ferry rollout get` for people: the deployment line, the steps, the traffic split and a table
 * of tracks.
 *
 * @example
 * web prod: dep-7 v2 Paused (paused at step 2/3: run "ferry rollout promote" to go on)
 * canary, 3 steps:
 * ✓ 1. setWeight 10%
 * ▶ 2. pause (until promoted)
 *   3. setWeight 50%
 * traffic: canary 10% · header x-canary exact "yes" · mirror 50%
 *
 * TRACK   VERSION  READY  REQUESTS  5XX  P50   P95   P99
 * stable  v1       2/2    1200      3    12ms  40ms  81ms
 * canary  v2       1/1    130       0    -     -     -
 */
export function formatRolloutView(view: RolloutView): string {
  const head = `${deploymentLine(view)}\n${formatRolloutSteps(view)}`;
  return view.tracks.length === 0 ? head : `${head}\n${tracksTable(view.tracks)}`;
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
  if (traffic.matches.length > 0) parts.push(traffic.matches.join(' or '));
  if (traffic.mirrorPercent > 0) parts.push(`mirror ${traffic.mirrorPercent}%`);
  return parts.join(' · ');
}

function tracksTable(tracks: readonly TrackStats[]): string {
  return renderTable(
    ['track', 'version', 'ready', 'requests', '5xx', 'p50', 'p95', 'p99'],
    tracks.map((t) => [
      t.track,
      t.version,
      `${t.ready}/${t.total}`,
      t.requests,
      t.errors5xx,
      ms(t.p50Ms),
      ms(t.p95Ms),
      ms(t.p99Ms),
    ]),
  );
}

/** `12ms`, `0.4ms`; null stays null so the table shows `-`. */
function ms(value: number | null): string | null {
  return value === null ? null : `${Number(value.toFixed(1))}ms`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
