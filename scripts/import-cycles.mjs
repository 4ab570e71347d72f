/**
 * Prints the import cycles among the files under src/ (tests left out): each strongly connected
 * group of files, and a shortest cycle through each file
 * that no cycle shown before passes through. Type-only imports count too:
 * they tie the files' designs together even when nothing loads at run time.
 *
 * Usage: node scripts/import-cycles.mjs [--runtime] [--folders]
 *   --runtime  leaves out `import type`
 *   --modules  a module is one node: src/config, src/cli, src/features/analysis and apart from it
 *              src/features/analysis/domain, src/traffic/router ...: the cycles between
 *              modules, such as config needing analysis and analysis config; each step of a
 *              cycle names one import that makes it
 * Exit code 1 when there is a cycle, so CI can keep the graph a tree.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/* global console */

const shown = (path) => relative(root, path);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runtimeOnly = process.argv.includes('--runtime');
const byModule = process.argv.includes('--modules');

/** Every non-test .ts file under `dir`. */
function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The relative imports and re-exports of one file, resolved to .ts paths. */
function importsOf(path) {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const targets = [];
  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement);
    if (!isImport && !ts.isExportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const typeOnly = isImport ? statement.importClause?.isTypeOnly : statement.isTypeOnly;
    if (runtimeOnly && typeOnly) continue;
    targets.push(resolve(dirname(path), specifier.text.replace(/\.js$/, '.ts')));
  }
  return targets;
}

/** Tarjan's strongly connected components, larger than one file. */
function cycles(graph) {
  let index = 0;
  const order = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (node) => {
    order.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), order.get(next)));
    }
    if (low.get(node) !== order.get(node)) return;
    const group = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of graph.keys()) if (!order.has(node)) visit(node);
  return groups;
}

/** A shortest path from `start` back to itself inside `group` (breadth first). */
function shortestCycle(graph, group, start) {
  const members = new Set(group);
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (previous.get(path[0])) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** A file's module: two folders under src (three under features, traffic, runtime), plus domain. */
function moduleOf(path) {
  const parts = relative(join(root, 'src'), dirname(path)).split('/').filter(Boolean);
  const depth = ['features', 'traffic', 'runtime'].includes(parts[0]) ? 2 : 1;
  const kept = parts.slice(0, depth);
  if (parts[depth] === 'domain') kept.push('domain');
  return join('src', ...kept);
}

/** One import per module edge, to show why the edge is there. */
const witnesses = new Map();

/** The file graph, or with --modules the graph of the modules files are in. */
function importGraph() {
  const files = sourceFiles(join(root, 'src'));
  if (!byModule) return new Map(files.map((path) => [path, importsOf(path)]));
  const modules = new Map(files.map((path) => [moduleOf(path), new Set()]));
  for (const path of files) {
    for (const target of importsOf(path)) {
      const [from, to] = [moduleOf(path), moduleOf(target)];
      if (from === to) continue;
      modules.get(from).add(to);
      const edge = `${from} -> ${to}`;
      if (!witnesses.has(edge)) witnesses.set(edge, `${shown(path)} imports ${shown(target)}`);
    }
  }
  return new Map(
    [...modules].map(([module, targets]) => [
      join(root, module),
      [...targets].map((t) => join(root, t)),
    ]),
  );
}

const graph = importGraph();
const found = cycles(graph);
for (const group of found) {
  console.log(`${group.length} ${byModule ? 'modules' : 'files'}: ${group.map(shown).join(', ')}`);
  // A shortest cycle through each member no cycle shown so far passes through.
  const covered = new Set();
  for (const start of group) {
    if (covered.has(start)) continue;
    const cycle = shortestCycle(graph, group, start);
    for (const member of cycle) covered.add(member);
    const names = cycle.map(shown);
    console.log(`  cycle: ${names.join(' -> ')}`);
    if (!byModule) continue;
    for (let i = 0; i + 1 < names.length; i++) {
      console.log(`    ${witnesses.get(`${names[i]} -> ${names[i + 1]}`)}`);
    }
  }
}
const notes = [runtimeOnly ? 'run-time imports only' : '', byModule ? 'by module' : ''];
const note = notes.filter(Boolean).join(', ');
console.log(`${found.length} cycle group(s)${note ? ` (${note})` : ''}`);
process.exitCode = found.length > 0 ? 1 : 0;
