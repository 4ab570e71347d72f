import type { Document, Node, Pair } from 'yaml';
import { isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { PathSegment } from './config-problem.js';
import { offsetInScalar } from './scalar-column.js';

function resolve(doc: Document, value: unknown): Node | undefined {
  if (isAlias(value)) return value.resolve(doc) ?? value;
  return isNode(value) ? value : undefined;
}

/** The node a path segment leads to, or undefined when it does not exist in the source. */
function child(
  doc: Document,
  node: Node,
  segment: PathSegment,
  at: 'key' | 'value',
): Node | undefined {
  if (isSeq(node))
    return typeof segment === 'number' ? resolve(doc, node.items[segment]) : undefined;
  if (!isMap(node)) return undefined;
  const pair = (node.items as Pair[]).find(
    (p) => isScalar(p.key) && String(p.key.value) === String(segment),
  );
  if (!pair || !isScalar(pair.key)) return undefined;
  const value = resolve(doc, pair.value);
  // `key:` with nothing after it has an empty value node; the key is the better place to point.
  const empty = isScalar(value) && value.value === null && value.source === '';
  return at === 'key' || !value || empty ? pair.key : value;
}

/** Where in the source a problem lies: see {@link locateInYaml}. */
export interface YamlTarget {
  readonly path: readonly PathSegment[];
  readonly at: 'key' | 'value';
  /** 1-based character of a string value the problem is at. */
  readonly column?: number;
}

/**
 * The source offset a problem should point at: the value (or, with `at: 'key'`, the key) at the
 * end of its path, or the deepest node that exists, so a missing field points at the map that
 * lacks it. With a `column`, a string value found at the full path is pointed into.
 */
export function locateInYaml(doc: Document, text: string, target: YamlTarget): number {
  const { path, at, column } = target;
  let node = resolve(doc, doc.contents);
  let found = 0;
  for (const [index, segment] of path.entries()) {
    if (!node) break;
    const next = child(doc, node, segment, index === path.length - 1 ? at : 'value');
    if (!next) break;
    node = next;
    found += 1;
  }
  if (column !== undefined && found === path.length && isScalar(node)) {
    return offsetInScalar(text, node, column);
  }
  return node?.range?.[0] ?? 0;
}
