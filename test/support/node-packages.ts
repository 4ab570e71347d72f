import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

interface PackageJson {
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

/**
 * Copies `name` and every package it depends on, at run time, from the `node_modules` above
 * `fromDir` into `<toDir>/node_modules`, keeping npm's layout (nested copies stay nested), as
 * `npm install --omit=dev` in `toDir` would have put them. Tests use it instead of an install
 * from the network; a copy rather than a link, because an artifact may not link outside itself.
 *
 * @example
 * copyPackageTree('fastify', projectRoot(), appDir); // appDir/node_modules/fastify, avvio, ...
 */
export function copyPackageTree(name: string, fromDir: string, toDir: string): void {
  const found = new Set<string>();
  collect(name, fromDir, found);
  const root = join(fromDir, 'node_modules');
  for (const dir of found) {
    if (relative(root, dir).startsWith('..')) throw new Error(`${dir} is not under ${root}`);
    cpSync(dir, join(toDir, 'node_modules', relative(root, dir)), {
      recursive: true,
      // Nested packages are copied on their own when something needs them.
      filter: (source) => !relative(dir, source).split(sep).includes('node_modules'),
    });
  }
}

/** Node's lookup: `node_modules/<name>` in `from`, then in each folder above it. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function collect(name: string, from: string, found: Set<string>, optional = false): void {
  const dir = resolvePackage(name, from);
  if (dir === undefined) {
    if (optional) return;
    throw new Error(`package ${name} is not installed above ${from}`);
  }
  if (found.has(dir)) return;
  found.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    collect(dependency, dir, found);
  }
  for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
    collect(dependency, dir, found, true);
  }
}
