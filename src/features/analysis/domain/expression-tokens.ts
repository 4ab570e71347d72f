import { ExpressionError } from './expression-error.js';

/** Operators and punctuation, longest first so that `<=` wins over `<`. */
export const punctuators = [
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
] as const;
export type Punctuator = (typeof punctuators)[number];

/** One lexical token of a condition; `column` is 1-based. */
export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly column: number }
  | { readonly kind: 'string'; readonly value: string; readonly column: number }
  | { readonly kind: 'identifier'; readonly name: string; readonly column: number }
  | { readonly kind: 'punctuator'; readonly text: Punctuator; readonly column: number }
  | { readonly kind: 'end'; readonly column: number };

const whitespace = /\s+/y;
const number = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const identifier = /[A-Za-z_][A-Za-z0-9_]*/y;
const escapes: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
};
/** Single characters people type from other languages, with what to write instead. */
const hints: Readonly<Record<string, string>> = {
  '=': "use '==' to compare",
  '&': "use '&&' for 'and'",
  '|': "use '||' for 'or'",
};

function match(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? null;
}

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let at = start + 1;
  while (at < text.length && text[at] !== quote) {
    const char = text[at] ?? '';
    if (char === '\\') {
      const escaped = escapes[text[at + 1] ?? ''];
      if (escaped === undefined) {
        throw new ExpressionError(`unknown escape '\\${text[at + 1] ?? ''}' in string`, at + 1);
      }
      value += escaped;
      at += 2;
    } else {
      value += char;
      at += 1;
    }
  }
  if (at >= text.length) throw new ExpressionError('unterminated string', start + 1);
  return { value, end: at + 1 };
}

/**
 * Splits a condition into tokens, ending with an `end` token.
 *
 * @throws ExpressionError on a character that starts no token, with a hint for `=`, `&`, `|`.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const column = at + 1;
    const space = match(whitespace, text, at);
    if (space !== null) {
      at += space.length;
      continue;
    }
    const digits = match(number, text, at);
    if (digits !== null) {
      tokens.push({ kind: 'number', value: Number(digits), column });
      at += digits.length;
      continue;
    }
    const name = match(identifier, text, at);
    if (name !== null) {
      tokens.push({ kind: 'identifier', name, column });
      at += name.length;
      continue;
    }
    if (text[at] === '"' || text[at] === "'") {
      const { value, end } = readString(text, at);
      tokens.push({ kind: 'string', value, column });
      at = end;
      continue;
    }
    const punctuator = punctuators.find((p) => text.startsWith(p, at));
    if (punctuator !== undefined) {
      tokens.push({ kind: 'punctuator', text: punctuator, column });
      at += punctuator.length;
      continue;
    }
    const char = text[at] ?? '';
    const hint = hints[char];
    throw new ExpressionError(`unexpected '${char}'${hint ? `: ${hint}` : ''}`, column);
  }
  tokens.push({ kind: 'end', column: text.length + 1 });
  return tokens;
}
