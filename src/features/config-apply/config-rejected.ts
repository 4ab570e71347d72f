import type { ConfigError } from '../../errors/ferry-error.js';
import { FerryError } from '../../errors/ferry-error.js';

/** One located mistake in a file sent to `ferry apply`. */
export interface LocatedProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

/**
 * A configuration `ferry apply` refused because it does not validate: 422, every problem in
 * `errors` as {file, line, col, path, message} (and in `details` as everywhere else).
 */
export function configRejected(error: ConfigError, file: string): FerryError {
  const errors = error.details.map((d): LocatedProblem => {
    const match = /^(.*):(\d+):(\d+)$/.exec(d.location ?? '');
    return match
      ? {
          file: match[1]!,
          line: Number(match[2]),
          col: Number(match[3]),
          path: d.path,
          message: d.message,
        }
      : { file, line: 0, col: 0, path: d.path, message: d.message };
  });
  const count = `${errors.length} error${errors.length === 1 ? '' : 's'}`;
  return new FerryError('config_rejected', `${file}: ${count}; nothing changed`, {
    details: error.details,
    extra: { errors },
  });
}

/** The problems of a `config_rejected` error, as `file:line:col path: message` lines. */
export function rejectedLines(error: FerryError): string[] {
  const errors = error.extra['errors'];
  if (!Array.isArray(errors)) return [];
  return (errors as LocatedProblem[]).map(
    (e) => `${e.file}:${e.line}:${e.col} ${e.path}: ${e.message}`,
  );
}
