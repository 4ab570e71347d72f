import type { ConfigProblem } from './config-problem.js';
import { isRecord } from './raw-shape.js';

/** Risk rules have unique names and name only declared environments. */
export function checkRisk(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !isRecord(raw.risk) || !Array.isArray(raw.risk.rules)) return [];
  const environments = Array.isArray(raw.environments)
    ? raw.environments.flatMap((e: unknown) =>
        isRecord(e) && typeof e.name === 'string' ? [e.name] : [],
      )
    : [];
  const seen = new Set<string>();
  return raw.risk.rules.flatMap((rule: unknown, index): ConfigProblem[] => {
    if (!isRecord(rule)) return [];
    const problems: ConfigProblem[] = [];
    if (typeof rule.name === 'string') {
      if (seen.has(rule.name)) {
        problems.push({
          path: ['risk', 'rules', index, 'name'],
          message: `duplicate risk rule "${rule.name}"`,
          at: 'value',
        });
      }
      seen.add(rule.name);
    }
    const listed = isRecord(rule.when) ? rule.when.environments : undefined;
    if (Array.isArray(listed)) {
      listed.forEach((name: unknown, i) => {
        if (typeof name !== 'string' || environments.includes(name)) return;
        problems.push({
          path: ['risk', 'rules', index, 'when', 'environments', i],
          message: `unknown environment "${name}"; declared environments are ${environments.join(', ') || '(none)'}`,
          at: 'value',
        });
      });
    }
    return problems;
  });
}
