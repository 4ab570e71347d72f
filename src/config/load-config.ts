import { readFile } from 'node:fs/promises';
import { isAlias, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { ErrorDetail } from '../errors/ferry-error.js';
import { ConfigError } from '../errors/ferry-error.js';
import { checkAnalysis } from './check-analysis.js';
import { checkDataPlane } from './check-data-plane.js';
import { checkDeprecations } from './check-deprecations.js';
import { checkEnvironments } from './check-environments.js';
import { checkLimits } from './check-limits.js';
import { checkRisk } from './check-risk.js';
import { checkRoutes } from './check-routes.js';
import { checkWindows } from './check-windows.js';
import type { ConfigProblem } from './config-problem.js';
import { formatFieldPath } from './config-problem.js';
import { configSchema } from './config-schema.js';
import type { ConfigWarning, FerryConfig, ListenAddress } from './ferry-config.js';
import { locateInYaml } from './yaml-locator.js';
import { fallbackErrorMap, problemsFromZod } from './zod-problems.js';

interface Located extends ErrorDetail {
  readonly offset: number;
}

/**
 * Parses and validates ferry.yaml text into the resolved config. Every mistake found (YAML
 * syntax, schema, cross-field) is reported at once as a {@link ConfigError} whose details carry
 * `file:line:col` locations, with `file` exactly as given. Deprecated fields that still work
 * come back as located `warnings`.
 *
 * @example parseConfig(text, 'ferry.yaml').services.web.replicas
 */
export function parseConfig(
  text: string,
  file: string,
  options: { readonly apiListen?: ListenAddress } = {},
): FerryConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: '(yaml)', message: e.message, location: where(e.pos[0]) })),
    );
  }
  const raw = toPlainValue(doc, file, where);
  const result = configSchema.safeParse(raw, { error: fallbackErrorMap });
  const problems: ConfigProblem[] = [
    ...(result.success ? [] : problemsFromZod(result.error)),
    ...checkEnvironments(raw),
    ...checkRoutes(raw, options.apiListen),
    ...checkAnalysis(raw),
    ...checkDataPlane(raw),
    ...checkLimits(raw),
    ...checkWindows(raw),
    ...checkRisk(raw),
  ];
  if (result.success && problems.length === 0) {
    const warnings = checkDeprecations(raw).map((p): ConfigWarning => {
      const { line, col } = lineCounter.linePos(locateInYaml(doc, text, p));
      return { file, line, col, path: formatFieldPath(p.path), message: p.message };
    });
    return { ...result.data, warnings };
  }
  const located = problems.map((p): Located => {
    const offset = locateInYaml(doc, text, p);
    return { path: formatFieldPath(p.path), message: p.message, location: where(offset), offset };
  });
  throw new ConfigError(
    file,
    located.sort((a, b) => a.offset - b.offset).map(({ offset: _, ...detail }) => detail),
  );
}

/** Most aliases a ferry.yaml may expand, as the `yaml` package's default: a billion laughs stop here. */
const maxAliasCount = 100;

/**
 * The document as plain values. Aliases that expand past {@link maxAliasCount} nodes (an "alias
 * bomb") are a ConfigError at the first alias, not a crash.
 */
function toPlainValue(doc: Document, file: string, where: (offset: number) => string): unknown {
  try {
    return doc.toJS({ maxAliasCount });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let offset = 0;
    visit(doc, {
      Alias(_key, node) {
        offset = isAlias(node) && node.range ? node.range[0] : 0;
        return visit.BREAK;
      },
    });
    throw new ConfigError(file, [
      {
        path: '(yaml)',
        message: `aliases expand to too many values (${error.message}); write the values out or use fewer aliases`,
        location: where(offset),
      },
    ]);
  }
}

/**
 * Reads and parses a ferry.yaml. A missing or unreadable file is a {@link ConfigError} too, so the
 * CLI renders every config problem the same way. `apiListen`: the server's own API address, which
 * no route may take.
 */
export async function loadConfigFile(
  path: string,
  options: { readonly apiListen?: ListenAddress } = {},
): Promise<FerryConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found; create it (see examples/ferry.yaml) or pass the path of your ferry.yaml'
        : `cannot read the file (${code ?? String(error)})`;
    throw new ConfigError(path, [{ path: '(file)', message, location: path }]);
  }
  return parseConfig(text, path, options);
}
