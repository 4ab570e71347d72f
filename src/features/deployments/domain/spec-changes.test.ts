import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load-config.js';
import { runsSpec } from './runs-spec.js';
import { changedPaths, sameValue, specChanges } from './spec-changes.js';

const web = (extra = '') =>
  parseConfig(
    `apiVersion: ferry.dev/v1
environments: [{ name: staging }, { name: prod }]
services:
  web:
    runtime:
      local: { command: node server.js, env: { A: '1' } }
    routes: { staging: 127.0.0.1:18081, prod: 127.0.0.1:18080 }
${extra}`,
    'ferry.yaml',
  ).services.web!;

describe('changedPaths and sameValue', () => {
  it('names the leaves that differ; arrays are compared whole, key order never matters', () => {
    expect(changedPaths({ a: { b: 1, c: [1, 2] } }, { a: { b: 1, c: [2, 1] } })).toEqual(['a.c']);
    expect(changedPaths({ a: 1 }, { a: 1, b: 2 })).toEqual(['b']);
    expect(sameValue({ x: 1, y: { z: 2 } }, { y: { z: 2 }, x: 1 })).toBe(true);
    expect(sameValue(undefined, undefined)).toBe(true);
    expect(sameValue(undefined, {})).toBe(false);
  });
});

describe('specChanges', () => {
  it('needs new instances for runtime, health and this environment’s route only', () => {
    const before = web();
    const after = {
      ...before,
      runtime: { kind: 'local' as const, local: { ...before.runtime.local, env: { A: '2' } } },
      routes: { ...before.routes, staging: { host: '127.0.0.1', port: 18089 } },
      progressDeadlineMs: 1_000,
    };
    expect(specChanges(before, after, 'prod')).toEqual({
      rollout: ['runtime.local.env.A'],
      next: ['progressDeadlineMs'],
    });
    expect(specChanges(before, after, 'staging').rollout).toEqual([
      'routes.staging',
      'runtime.local.env.A',
    ]);
  });
});

describe('runsSpec', () => {
  it('holds for an instance started with the spec, and not once its env or probes change', () => {
    const spec = web();
    const instance = {
      command: spec.runtime.local.command,
      cwd: spec.runtime.local.cwd,
      env: { A: '1' },
      readiness: spec.health.readiness,
    };
    expect(runsSpec(instance, spec)).toBe(true);
    expect(runsSpec({ ...instance, env: { A: '2' } }, spec)).toBe(false);
    const slower = { ...spec.health.readiness, intervalMs: spec.health.readiness.intervalMs + 1 };
    expect(runsSpec({ ...instance, readiness: slower }, spec)).toBe(false);
    expect(runsSpec({ ...instance, user: 'root' }, spec)).toBe(false);
  });
});
