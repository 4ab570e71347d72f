import { describe, expect, it } from 'vitest';
import type { AppliedMigration, MigrationFile, MigrationPhase } from './migration-file.js';
import { planMigrations } from './plan-migrations.js';

const sum = (c: string) => `sha256:${c.repeat(64)}`;

const file = (
  version: string,
  phase: MigrationPhase | null,
  checksum = sum('a'),
): MigrationFile => ({
  version,
  description: `step ${version}`,
  phase,
  path: `V${version.replaceAll('.', '_')}__step.sql`,
  sql: 'SELECT 1;',
  checksum,
});

const row = (version: string, checksum = sum('a')): AppliedMigration => ({
  version,
  description: `step ${version}`,
  phase: 'expand',
  checksum,
  appliedAt: '2026-01-01T00:00:00.000Z',
  deploymentId: 'd1',
  durationMs: 3,
});

describe('planMigrations', () => {
  it('sorts pending files by phase and version, and keeps the applied ones applied', () => {
    const plan = planMigrations(
      [file('10', 'contract'), file('2', 'expand'), file('1', 'expand'), file('3', 'expand')],
      [row('1')],
    );
    expect(plan.applied.map((r) => r.version)).toEqual(['1']);
    expect(plan.pendingExpand.map((f) => f.version)).toEqual(['2', '3']);
    expect(plan.pendingContract.map((f) => f.version)).toEqual(['10']);
    expect(plan.mismatches).toEqual([]);
    expect(plan.unknownApplied).toEqual([]);
    expect(plan.withoutPhase).toEqual([]);
  });

  it('reports an applied file that changed with both checksums, and does not plan it again', () => {
    const plan = planMigrations([file('1', 'expand', sum('b'))], [row('1', sum('a'))]);
    expect(plan.mismatches).toEqual([
      { version: '1', path: 'V1__step.sql', applied: sum('a'), file: sum('b') },
    ]);
    expect(plan.pendingExpand).toEqual([]);
  });

  it('lists applied versions no file has any more, without calling them errors', () => {
    const plan = planMigrations([file('2', 'expand')], [row('1'), row('2')]);
    expect(plan.unknownApplied.map((r) => r.version)).toEqual(['1']);
    expect(plan.mismatches).toEqual([]);
  });

  it('never makes a file without a phase pending', () => {
    const plan = planMigrations([file('4', null), file('5', 'expand')], []);
    expect(plan.pendingExpand.map((f) => f.version)).toEqual(['5']);
    expect(plan.pendingContract).toEqual([]);
    expect(plan.withoutPhase.map((f) => f.version)).toEqual(['4']);
  });

  it('treats an applied file without a phase as applied', () => {
    const plan = planMigrations([file('4', null)], [row('4')]);
    expect(plan.withoutPhase).toEqual([]);
    expect(plan.applied.map((r) => r.version)).toEqual(['4']);
  });
});
