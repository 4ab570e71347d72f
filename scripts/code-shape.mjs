#!/usr/bin/env node
// Prints the shape figures issue 10 tracks: the largest source files and functions (lines), and
// the places that write a deployment row. Run: node scripts/code-shape.mjs
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import ts from 'typescript';

const say = (line) => process.stdout.write(`${line}\n`);

const files = execSync("git ls-files 'src/*.ts'", { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !/\.test\.ts$|\.contract\.ts$/.test(f));
const sizes = [];
const functions = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  sizes.push([text.split('\n').length - 1, file]);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name ? node.name.getText() : '(anonymous)';
      functions.push([end - start + 1, `${file} ${name}`]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
const top = (list, n) => list.sort((a, b) => b[0] - a[0]).slice(0, n);
say('largest files:');
for (const [lines, file] of top(sizes, 5)) say(`  ${lines}\t${file}`);
say('largest functions:');
for (const [lines, name] of top(functions, 5)) say(`  ${lines}\t${name}`);
const writers = execSync(
  "git grep -n -E '(deployments|store)\\.(commit|update|insert)\\(' -- 'src/features/deployments/*.ts' 'src/features/deployments/**/*.ts' ':!*.test.ts' ':!*.contract.ts' || true",
  { encoding: 'utf8' },
)
  .split('\n')
  .filter((line) => line && !/instances\.|in-memory-|kysely-/.test(line));
say(`places that write a deployment row: ${writers.length}`);
for (const line of writers) say(`  ${line.trim()}`);
