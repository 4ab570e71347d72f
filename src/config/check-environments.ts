import type { ConfigProblem } from './config-problem.js';
import { isRecord } from './raw-shape.js';

/** Environment names must be unique: the list is the promotion path. */
export function checkEnvironments(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !Array.isArray(raw.environments)) return [];
  const firstIndex = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  raw.environments.forEach((env: unknown, index) => {
    if (!isRecord(env) || typeof env.name !== 'string') return;
    const first = firstIndex.get(env.name);
    if (first === undefined) {
      firstIndex.set(env.name, index);
      return;
    }
    problems.push({
      path: ['environments', index, 'name'],
      message: `duplicate environment "${env.name}", already declared at environments[${first}]; names must be unique`,
      at: 'value',
    });
  });
  return problems;
}
