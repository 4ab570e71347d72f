import type { ConfigProblem } from './config-problem.js';
import { isRecord } from './raw-shape.js';

/** Environment names must be unique and `from` must name one above: the list is the promotion path. */
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
  problems.push(...checkFrom(raw.environments), ...checkGroups(raw));
  return problems;
}

/** A group lists declared services, each once. */
function checkGroups(raw: Record<string, unknown>): ConfigProblem[] {
  if (!isRecord(raw.groups) || !isRecord(raw.services)) return [];
  const services = Object.keys(raw.services);
  return Object.entries(raw.groups).flatMap(([group, members]) => {
    if (!Array.isArray(members)) return [];
    return members.flatMap((member: unknown, index): ConfigProblem[] => {
      if (typeof member !== 'string') return [];
      const path = ['groups', group, index];
      if (members.indexOf(member) !== index) {
        return [{ path, message: `"${member}" is already in group ${group}`, at: 'value' }];
      }
      if (services.includes(member)) return [];
      return [
        {
          path,
          message: `unknown service "${member}"; declared services are ${services.join(', ') || '(none)'}`,
          at: 'value',
        },
      ];
    });
  });
}

/** `from` names an environment declared before this one: the path runs down the list. */
function checkFrom(environments: readonly unknown[]): ConfigProblem[] {
  const before: string[] = [];
  const problems: ConfigProblem[] = [];
  environments.forEach((env: unknown, index) => {
    if (!isRecord(env)) return;
    if (typeof env.from === 'string' && !before.includes(env.from)) {
      const declaredLater = environments.some(
        (other, at) => at >= index && isRecord(other) && other.name === env.from,
      );
      problems.push({
        path: ['environments', index, 'from'],
        message: declaredLater
          ? `"${env.from}" is not before ${String(env.name)} in the list; an environment promotes from one declared above it`
          : `unknown environment "${env.from}"; declared before it: ${before.join(', ') || '(none)'}`,
        at: 'value',
      });
    }
    if (typeof env.name === 'string') before.push(env.name);
  });
  return problems;
}
