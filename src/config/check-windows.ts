import { CronExpressionParser } from 'cron-parser';
import { isKnownTimeZone } from '../features/windows/domain/format-in-zone.js';
import type { ConfigProblem } from './config-problem.js';
import { isRecord } from './raw-shape.js';

/**
 * Each window has a unique name, one of `recurring` and `between`, a cron expression that parses,
 * a time zone the runtime knows, declared environments, and `from` before `to`.
 */
export function checkWindows(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !Array.isArray(raw.windows)) return [];
  const environments = Array.isArray(raw.environments)
    ? raw.environments.flatMap((e: unknown) =>
        isRecord(e) && typeof e.name === 'string' ? [e.name] : [],
      )
    : [];
  const seen = new Set<string>();
  return raw.windows.flatMap((window: unknown, index): ConfigProblem[] => {
    if (!isRecord(window)) return [];
    const at = (...path: (string | number)[]) => ['windows', index, ...path];
    const problems: ConfigProblem[] = [];
    if (typeof window.name === 'string') {
      if (seen.has(window.name)) {
        problems.push({
          path: at('name'),
          message: `duplicate window "${window.name}"`,
          at: 'value',
        });
      }
      seen.add(window.name);
    }
    const both = window.recurring !== undefined && window.between !== undefined;
    if (both || (window.recurring === undefined && window.between === undefined)) {
      problems.push({
        path: both ? at('between') : at(),
        message: both
          ? 'a window is either recurring or between, not both'
          : 'a window needs recurring: { cron, duration, timeZone } or between: { from, to }',
        at: both ? 'key' : 'value',
      });
    }
    if (Array.isArray(window.environments)) {
      window.environments.forEach((name: unknown, i) => {
        if (typeof name !== 'string' || environments.includes(name)) return;
        problems.push({
          path: at('environments', i),
          message: `unknown environment "${name}"; declared environments are ${environments.join(', ') || '(none)'}`,
          at: 'value',
        });
      });
    }
    if (isRecord(window.recurring)) problems.push(...checkRecurring(window.recurring, at));
    if (isRecord(window.between)) problems.push(...checkBetween(window.between, at));
    return problems;
  });
}

function checkRecurring(
  recurring: Record<string, unknown>,
  at: (...path: (string | number)[]) => (string | number)[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const zone = recurring.timeZone;
  const knownZone = typeof zone !== 'string' || isKnownTimeZone(zone);
  if (!knownZone) {
    problems.push({
      path: at('recurring', 'timeZone'),
      message: `unknown time zone "${String(zone)}"; use an IANA name such as Europe/Berlin or UTC`,
      at: 'value',
    });
  }
  if (typeof recurring.cron === 'string') {
    try {
      const tz = knownZone && typeof zone === 'string' ? zone : 'UTC';
      CronExpressionParser.parse(recurring.cron, { tz }).next();
    } catch (error) {
      problems.push({
        path: at('recurring', 'cron'),
        message: `not a cron expression (${error instanceof Error ? error.message : String(error)}); write minute hour day-of-month month day-of-week, such as "0 18 * * 5"`,
        at: 'value',
      });
    }
  }
  return problems;
}

function checkBetween(
  between: Record<string, unknown>,
  at: (...path: (string | number)[]) => (string | number)[],
): ConfigProblem[] {
  if (typeof between.from !== 'string' || typeof between.to !== 'string') return [];
  const from = Date.parse(between.from);
  const to = Date.parse(between.to);
  if (Number.isNaN(from) || Number.isNaN(to) || from < to) return [];
  return [
    {
      path: at('between', 'to'),
      message: `to (${between.to}) must be after from (${between.from})`,
      at: 'value',
    },
  ];
}
