import { z } from 'zod';
import type { ConfigProblem, PathSegment } from './config-problem.js';
import { expecting } from './describe-value.js';

const typeNames: Readonly<Record<string, string>> = {
  object: 'a map',
  record: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

/**
 * Fallback messages for issues whose schema sets no `error` of its own: container types and
 * unknown keys. The unknown-key message lists the allowed fields, which only the schema knows.
 */
export const fallbackErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return expecting(typeNames[issue.expected] ?? issue.expected)(issue);
  }
  if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject) {
    return `allowed fields are ${Object.keys(issue.inst.shape).join(', ')}`;
  }
  return undefined;
};

/** Turns zod's issues into located-later problems, one per unknown key. */
export function problemsFromZod(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown field "${key}"; ${issue.message}`,
        at: 'key',
      }));
    }
    if (issue.code === 'invalid_key') {
      return [{ path, message: issue.issues[0]?.message ?? issue.message, at: 'key' }];
    }
    const column: unknown = issue.code === 'custom' ? issue.params?.column : undefined;
    return [
      {
        path,
        message: issue.message,
        at: 'value',
        ...(typeof column === 'number' ? { column } : {}),
      },
    ];
  });
}
