import { describe, expect, it } from 'vitest';
import { formatJsonPath, parseJsonPath, selectJsonPath } from './json-path.js';

function select(value: unknown, path: string) {
  const parsed = parseJsonPath(path);
  if (!parsed.ok) throw new Error(`${path}: ${parsed.message}`);
  return selectJsonPath(value, parsed.segments);
}

const document = {
  data: { rate: 0.25, 'p-99': [120, 80], "it's": 'quoted', nested: { deep: null } },
  items: [{ name: 'a' }, { name: 'b' }],
};

describe('parseJsonPath', () => {
  it('reads the root, names, indexes and quoted keys', () => {
    expect(parseJsonPath('$')).toEqual({ ok: true, segments: [] });
    expect(parseJsonPath(`$.data['p-99'][0]`)).toEqual({
      ok: true,
      segments: [
        { kind: 'key', key: 'data' },
        { kind: 'key', key: 'p-99' },
        { kind: 'index', index: 0 },
      ],
    });
    expect(parseJsonPath(`$["a b"]['it\\'s'][-1]`)).toEqual({
      ok: true,
      segments: [
        { kind: 'key', key: 'a b' },
        { kind: 'key', key: "it's" },
        { kind: 'index', index: -1 },
      ],
    });
  });

  it.each([
    ['data.rate', "a JSONPath starts with '$'", 1],
    ['$.', "expected a name after '.'; use ['key'] for other keys", 3],
    ['$.a-b', "unexpected '-'; expected '.' or '['", 4],
    ['$[x]', "expected an index or a quoted key after '['", 3],
    ['$[0', "expected ']'", 4],
    ["$['open", 'unterminated quoted key', 3],
    ["$['a'x", "expected ']'", 6],
    ['$.a[*]', "expected an index or a quoted key after '['", 5],
  ])('rejects %s: %s at column %i', (path, message, column) => {
    expect(parseJsonPath(path)).toEqual({ ok: false, message, column });
  });
});

describe('selectJsonPath', () => {
  it('finds values, including falsy ones', () => {
    expect(select(document, '$')).toEqual({ found: true, value: document });
    expect(select(document, '$.data.rate')).toEqual({ found: true, value: 0.25 });
    expect(select(document, "$.data['p-99'][1]")).toEqual({ found: true, value: 80 });
    expect(select(document, '$.items[-1].name')).toEqual({ found: true, value: 'b' });
    expect(select(document, '$.data.nested.deep')).toEqual({ found: true, value: null });
    expect(select([0], '$[0]')).toEqual({ found: true, value: 0 });
  });

  it('says where the path stops and what is there instead', () => {
    expect(select(document, '$.data.errors')).toEqual({
      found: false,
      message: "$.data has no key 'errors' (it has rate, p-99, it's, nested)",
    });
    expect(select(document, '$.items[2]')).toEqual({
      found: false,
      message: '$.items has 2 elements, no [2]',
    });
    expect(select(document, '$.data[0]')).toEqual({
      found: false,
      message: '$.data is an object, not an array',
    });
    expect(select(document, '$.data.rate.value')).toEqual({
      found: false,
      message: '$.data.rate is a number, not an object',
    });
    expect(select('plain text', '$.value')).toEqual({
      found: false,
      message: '$ is a string, not an object',
    });
  });

  it('does not reach into prototypes', () => {
    expect(select({}, '$.constructor')).toMatchObject({ found: false });
    expect(select([1], '$.length')).toMatchObject({ found: false });
  });
});

describe('formatJsonPath', () => {
  it('writes names plainly and quotes other keys', () => {
    const parsed = parseJsonPath(`$.a['b c']["it's"][3]`);
    expect(parsed.ok && formatJsonPath(parsed.segments)).toBe(`$.a['b c']['it\\'s'][3]`);
  });
});
