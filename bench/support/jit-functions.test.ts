import { describe, expect, it } from 'vitest';
import { codeRanges, costsByFunction, selfCosts } from './jit-functions.js';

// A callgrind dump as valgrind 3.19 writes one, cut down: compressed names, a call whose
// inclusive cost must not count as the caller's own, and a JIT address with a recursion suffix.
const callgrind = [
  'events: Ir',
  'ob=(1) /usr/bin/node',
  'fn=(10) 0x0000000000001000',
  '0 300',
  'cfn=(11) Builtins_LoadIC',
  'calls=2 0',
  '0 500',
  '+1 20',
  'fn=(11)',
  '0 80',
  "fn=(12) 0x0000000000002010'2",
  '0 40',
  'fn=(10)',
  '* 60',
  '',
].join('\n');

const codeLog = [
  'shared-library,/usr/bin/node,0x0,0x0,0',
  'code-creation,Builtin,2,289727,0x500,768,DeoptimizationEntry_Eager',
  'code-creation,JS,10,14366350,0x1000,256,onRead file:///a/client.js:86:14,0xb2,~',
  'code-creation,JS,13,15187831,0x2000,128,parseHead file:///a/head.js:1:1,0xb3,*',
  // Later code at the same place replaces the first.
  'code-creation,JS,13,15187900,0x1000,256,readHead file:///a/parser.js:9:9,0xb4,*',
  '',
].join('\n');

describe('jit-functions', () => {
  it("adds a function's own cost, leaving out what its calls cost inclusively", () => {
    const costs = selfCosts(callgrind);

    expect(costs.get('0x0000000000001000')).toBe(380);
    expect(costs.get('Builtins_LoadIC')).toBe(80);
    expect(costs.get("0x0000000000002010'2")).toBe(40);
  });

  it('reads code ranges and names a JIT address by the latest code covering it', () => {
    expect(codeRanges(codeLog)).toHaveLength(4);
    expect(costsByFunction(callgrind, codeLog, 10)).toEqual([
      ['readHead file:///a/parser.js:9:9 [*]', 38],
      ['Builtins_LoadIC', 8],
      ['parseHead file:///a/head.js:1:1 [*]', 4],
    ]);
  });
});
