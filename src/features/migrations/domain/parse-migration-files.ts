import { migrationPhases, type MigrationFile, type MigrationPhase } from './migration-file.js';

/** A file found under a migrations folder, before it is read as a migration. */
export interface MigrationEntry {
  /** Relative to the migrations folder, with `/`. */
  readonly path: string;
  readonly sql: string;
  /** `sha256:<64 hex>` of the file's bytes. */
  readonly checksum: string;
}

/** A file that cannot be a migration, said the way a compiler would. */
export interface MigrationFileProblem {
  readonly path: string;
  readonly message: string;
}

export interface ParsedMigrations {
  /** Ordered by version, lowest first. */
  readonly files: readonly MigrationFile[];
  readonly problems: readonly MigrationFileProblem[];
}

const flywayName = /^V(\d+(?:[._]\d+)*)__([A-Za-z0-9][A-Za-z0-9_ .-]*)\.sql$/;
const phaseHeader = /^\s*--\s*phase\s*:\s*([A-Za-z]+)\s*$/im;

/**
 * Reads migration files named the Flyway way (`V3__add_email.sql`, `V3_1__backfill.sql`), each
 * with its phase from a `-- phase: expand|contract` comment before its first statement or from
 * its folder (`expand/`, `contract/`; the comment wins when both agree, a disagreement is a
 * problem). Files not ending in `.sql` are ignored; `.sql` files named otherwise, repeated
 * versions and unknown phases are problems.
 */
export function parseMigrationFiles(entries: readonly MigrationEntry[]): ParsedMigrations {
  const files: MigrationFile[] = [];
  const problems: MigrationFileProblem[] = [];
  const byVersion = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.path.endsWith('.sql')) continue;
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    const match = flywayName.exec(name);
    if (!match) {
      problems.push({
        path: entry.path,
        message: `${entry.path}: not a migration name; name it V<version>__<description>.sql (V3__add_email.sql)`,
      });
      continue;
    }
    const version = match[1]!.replaceAll('_', '.').replace(/(^|\.)0+(?=\d)/g, '$1');
    const seen = byVersion.get(version);
    if (seen !== undefined) {
      problems.push({
        path: entry.path,
        message: `${entry.path}: version ${version} is also ${seen}`,
      });
      continue;
    }
    byVersion.set(version, entry.path);
    const phase = phaseOf(entry, problems);
    if (phase === undefined) continue;
    files.push({
      version,
      description: match[2]!.replaceAll('_', ' '),
      phase,
      path: entry.path,
      sql: entry.sql,
      checksum: entry.checksum,
    });
  }
  files.sort((a, b) => compareVersions(a.version, b.version));
  return { files, problems };
}

/** Orders dotted versions numerically part by part: `3` < `3.1` < `10`. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? -1) - (right[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** undefined: a problem was recorded; null: the file declares no phase. */
function phaseOf(
  entry: MigrationEntry,
  problems: MigrationFileProblem[],
): MigrationPhase | null | undefined {
  const folders = entry.path.split('/').slice(0, -1);
  const fromFolder = folders.find((folder): folder is MigrationPhase => isPhase(folder)) ?? null;
  const header = phaseHeader.exec(leadingComments(entry.sql));
  if (header === null) return fromFolder;
  const declared = header[1]!.toLowerCase();
  if (!isPhase(declared)) {
    problems.push({
      path: entry.path,
      message: `${entry.path}: unknown phase "${header[1]}"; use expand or contract`,
    });
    return undefined;
  }
  if (fromFolder !== null && fromFolder !== declared) {
    problems.push({
      path: entry.path,
      message: `${entry.path}: declares phase ${declared} but sits in ${fromFolder}/`,
    });
    return undefined;
  }
  return declared;
}

function isPhase(text: string): text is MigrationPhase {
  return (migrationPhases as readonly string[]).includes(text);
}

/** The comment lines and blank lines before the first statement. */
function leadingComments(sql: string): string {
  const lines: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('--')) break;
    lines.push(line);
  }
  return lines.join('\n');
}
