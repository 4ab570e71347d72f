import { FerryError } from '../../errors/ferry-error.js';
import type { MatchSource, RequestMatch } from '../../features/routing/traffic-router.js';

type ValueTest = (value: string) => boolean;

/** What a routing table needs to know about a request before it picks a track. */
export interface RequestFacts {
  /** Which kind of match of the table holds, a header one first; `undefined` when none does. */
  readonly matchedBy: MatchSource | undefined;
  /** The sticky cookie's value as sent, when the table is sticky and the client sent one. */
  readonly stickyValue: string | undefined;
}

/**
 * Reads the headers and cookies a table routes by, in one pass over `rawHeaders`, compiled once
 * per table: regular expressions are built at apply time, the Cookie header is parsed only when
 * a cookie match or a sticky cookie needs it, and other fields cost one length check.
 */
export class RequestInspector {
  private readonly headerTests = new Map<string, ValueTest[]>();
  private readonly cookieTests: { readonly name: string; readonly test: ValueTest }[] = [];
  /** Lengths of the field names to look at: most fields are skipped without lower-casing. */
  private readonly lengths = new Set<number>();
  private readonly needsCookies: boolean;
  /** Reused result: `inspect` allocates nothing but the strings it must read. */
  private readonly facts = {
    matchedBy: undefined as MatchSource | undefined,
    stickyValue: undefined as string | undefined,
  };

  constructor(
    matches: readonly RequestMatch[],
    private readonly stickyCookie: string | undefined,
  ) {
    matches.forEach((match, index) => {
      const test = compileTest(match, index);
      if (match.source === 'cookie') {
        this.cookieTests.push({ name: match.name, test });
        return;
      }
      const name = match.name.toLowerCase();
      const tests = this.headerTests.get(name) ?? [];
      tests.push(test);
      this.headerTests.set(name, tests);
      this.lengths.add(name.length);
    });
    this.needsCookies = this.cookieTests.length > 0 || stickyCookie !== undefined;
    if (this.needsCookies) this.lengths.add('cookie'.length);
  }

  /** The facts of `rawHeaders`; the object returned is reused by the next call. */
  inspect(rawHeaders: readonly string[]): RequestFacts {
    let matchedBy: MatchSource | undefined;
    let cookies: string | undefined;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as string;
      if (!this.lengths.has(name.length)) continue;
      const lower = name.toLowerCase();
      const value = rawHeaders[i + 1] as string;
      if (lower === 'cookie' && this.needsCookies) {
        cookies = cookies === undefined ? value : `${cookies}; ${value}`;
        continue;
      }
      if (matchedBy !== undefined) continue;
      const tests = this.headerTests.get(lower);
      if (tests !== undefined && tests.some((test) => test(value))) matchedBy = 'header';
    }
    let stickyValue: string | undefined;
    if (cookies !== undefined) {
      if (matchedBy === undefined) {
        for (const { name, test } of this.cookieTests) {
          const value = cookieValue(cookies, name);
          if (value !== undefined && test(value)) {
            matchedBy = 'cookie';
            break;
          }
        }
      }
      if (this.stickyCookie !== undefined) stickyValue = cookieValue(cookies, this.stickyCookie);
    }
    this.facts.matchedBy = matchedBy;
    this.facts.stickyValue = stickyValue;
    return this.facts;
  }
}

function compileTest(match: RequestMatch, index: number): ValueTest {
  const expected = match.value;
  switch (match.kind) {
    case 'exact':
      return (value) => value === expected;
    case 'prefix':
      return (value) => value.startsWith(expected);
    case 'regex': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(expected);
      } catch (error) {
        throw new FerryError(
          'invalid_config',
          `canaryMatches[${index}]: ${match.source} ${match.name} has an invalid regex ` +
            `${JSON.stringify(expected)}; write a JavaScript regular expression`,
          { cause: error },
        );
      }
      return (value) => pattern.test(value);
    }
  }
}

/**
 * The value of cookie `name` in a Cookie header (`a=1; b="2"`), unquoted; `undefined` if absent.
 * The first occurrence wins, as in browsers' most-specific-path-first order.
 */
export function cookieValue(header: string, name: string): string | undefined {
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const equals = header.indexOf('=', start);
    if (equals !== -1 && equals < end && header.slice(start, equals).trim() === name) {
      const value = header.slice(equals + 1, end).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
        ? value.slice(1, -1)
        : value;
    }
    start = end + 1;
  }
  return undefined;
}
