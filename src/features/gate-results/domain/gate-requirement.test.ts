import { describe, expect, it } from 'vitest';
import {
  checkRequirements,
  describeRequirement,
  parseCondition,
  type GateRequirement,
} from './gate-requirement.js';
import type { GateResult } from './gate-result.js';

let sequence = 0;
function report(
  name: string,
  status: GateResult['status'],
  minute: number,
  values: Record<string, number> = {},
): GateResult {
  sequence += 1;
  return {
    id: `gate-${String(sequence).padStart(4, '0')}`,
    service: 'web',
    version: 'v1',
    digest: `sha256:${'ab'.repeat(32)}`,
    name,
    status,
    values,
    url: null,
    reporter: 'local',
    reportedAt: `2025-06-01T12:${String(minute).padStart(2, '0')}:00.000Z`,
  };
}

const tests: GateRequirement = { kind: 'passed', gate: 'tests' };
const coverage: GateRequirement = {
  kind: 'value',
  value: 'coverage',
  operator: '>=',
  threshold: 80,
};

describe('checkRequirements', () => {
  it('meets a gate requirement with the newest report of that name, whatever the order given', () => {
    const failed = report('tests', 'failed', 1);
    const passed = report('tests', 'passed', 2);
    for (const results of [
      [failed, passed],
      [passed, failed],
    ]) {
      expect(checkRequirements([tests], results)).toEqual([
        { requirement: tests, met: true, evidence: passed },
      ]);
    }
  });

  it('lets a newer failure supersede an older pass', () => {
    const passed = report('tests', 'passed', 1);
    const failed = report('tests', 'failed', 2);
    expect(checkRequirements([tests], [passed, failed])).toEqual([
      { requirement: tests, met: false, problem: 'failing', evidence: failed },
    ]);
  });

  it('breaks a tie in time by the later id', () => {
    const first = report('tests', 'passed', 5);
    const second = { ...report('tests', 'failed', 5) };
    expect(checkRequirements([tests], [second, first])[0]).toMatchObject({
      met: false,
      evidence: second,
    });
  });

  it('says missing when no report names the gate or carries the value', () => {
    const other = report('lint', 'passed', 1, { warnings: 3 });
    expect(checkRequirements([tests, coverage], [other])).toEqual([
      { requirement: tests, met: false, problem: 'missing' },
      { requirement: coverage, met: false, problem: 'missing' },
    ]);
    expect(checkRequirements([tests], [])).toEqual([
      { requirement: tests, met: false, problem: 'missing' },
    ]);
  });

  it('fails a value requirement with the actual value of the newest report carrying it', () => {
    const old = report('tests', 'passed', 1, { coverage: 91 });
    const newer = report('coverage-job', 'passed', 2, { coverage: 72.5 });
    const unrelated = report('lint', 'passed', 3, { warnings: 0 });
    expect(checkRequirements([coverage], [old, newer, unrelated])).toEqual([
      { requirement: coverage, met: false, problem: 'failing', evidence: newer, actual: 72.5 },
    ]);
  });

  it("takes values from any gate's report, failed ones too", () => {
    const scan = report('scan', 'failed', 1, { critical_vulnerabilities: 0 });
    const none: GateRequirement = {
      kind: 'value',
      value: 'critical_vulnerabilities',
      operator: '==',
      threshold: 0,
    };
    expect(checkRequirements([none], [scan])).toEqual([
      { requirement: none, met: true, evidence: scan },
    ]);
  });

  it('checks every requirement at once, in the order given', () => {
    const results = [report('tests', 'passed', 1, { coverage: 85 })];
    expect(checkRequirements([coverage, tests], results).map((c) => c.met)).toEqual([true, true]);
  });

  it('does not take inherited properties for reported values', () => {
    const odd: GateRequirement = {
      kind: 'value',
      value: 'constructor',
      operator: '>',
      threshold: 0,
    };
    expect(checkRequirements([odd], [report('tests', 'passed', 1)])).toEqual([
      { requirement: odd, met: false, problem: 'missing' },
    ]);
  });

  it.each([
    ['>=', 80, true],
    ['>=', 80.1, false],
    ['>', 79.9, true],
    ['>', 80, false],
    ['<=', 80, true],
    ['<=', 79, false],
    ['<', 81, true],
    ['<', 80, false],
    ['==', 80, true],
    ['==', 81, false],
    ['!=', 81, true],
    ['!=', 80, false],
  ] as const)('compares 80 %s %d: %s', (operator, threshold, met) => {
    const requirement: GateRequirement = { kind: 'value', value: 'coverage', operator, threshold };
    const [check] = checkRequirements([requirement], [report('t', 'passed', 1, { coverage: 80 })]);
    expect(check?.met).toBe(met);
  });
});

describe('parseCondition', () => {
  it.each([
    ['>= 80', { operator: '>=', threshold: 80 }],
    ['>80', { operator: '>', threshold: 80 }],
    ['  <= 0.5 ', { operator: '<=', threshold: 0.5 }],
    ['< -1', { operator: '<', threshold: -1 }],
    ['== 0', { operator: '==', threshold: 0 }],
    ['!= 3.25', { operator: '!=', threshold: 3.25 }],
  ])('reads %j', (text, parsed) => {
    expect(parseCondition(text)).toEqual(parsed);
  });

  it.each(['80', '=> 80', '= 80', '>= ', '>= eighty', '>= 80 %', '>= 1e3', '>= .5', ''])(
    'refuses %j',
    (text) => {
      expect(parseCondition(text)).toBeUndefined();
    },
  );
});

describe('describeRequirement', () => {
  it('reads as people write it', () => {
    expect(describeRequirement(tests)).toBe('tests passed');
    expect(describeRequirement(coverage)).toBe('coverage >= 80');
  });
});
