import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/ferry-error.js';
import type { StrategyConfig } from './ferry-config.js';
import { parseConfig } from './load-config.js';

/** A ferry.yaml whose one service has `strategy:` followed by `lines` (indented under it). */
function withStrategy(...lines: string[]): string {
  return [
    'apiVersion: ferry.dev/v1',
    'environments: [{ name: prod }]',
    'services:',
    '  web:',
    '    runtime: { local: { command: node server.js } }',
    '    strategy:',
    ...lines.map((line) => `      ${line}`),
  ].join('\n');
}

function strategyOf(text: string): StrategyConfig {
  return parseConfig(text, 'ferry.yaml').services.web?.strategy as StrategyConfig;
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'ferry.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.format().split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('strategy', () => {
  it('keeps rolling the default, for an empty strategy too', () => {
    expect(strategyOf(withStrategy('{}'))).toStrictEqual({
      kind: 'rolling',
      rolling: { maxSurge: 1, maxUnavailable: 0, postDeployAnalysis: null },
    });
  });

  it('says which strategies were given together', () => {
    const text = withStrategy('rolling: {}', 'canary: { steps: [setWeight: 5] }', 'blueGreen: {}');
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:7:7 services.web.strategy: expected one of rolling, canary, blueGreen, got rolling, canary and blueGreen; a service rolls out with one strategy, so keep the one to use',
    ]);
  });

  it('turns stickySession false into null and true into the ferry-version cookie', () => {
    const sticky = (value: string) => {
      const strategy = strategyOf(
        withStrategy(`canary: { stickySession: ${value}, steps: [pause: {}] }`),
      );
      return strategy.kind === 'canary' ? strategy.canary.stickySession : undefined;
    };
    expect(sticky('false')).toBeNull();
    expect(sticky('true')).toEqual({ cookie: 'ferry-version', maxAgeMs: null });
    expect(sticky('{ cookie: v }')).toEqual({ cookie: 'v', maxAgeMs: null });
    expect(sticky('{ maxAge: 1h }')).toEqual({ cookie: 'ferry-version', maxAgeMs: 3_600_000 });
  });

  it('says where a stickySession maxAge is too short', () => {
    expect(
      problemsOf(withStrategy('canary: { stickySession: { maxAge: 500ms }, steps: [pause: {}] }')),
    ).toEqual([
      'ferry.yaml:7:42 services.web.strategy.canary.stickySession.maxAge: stickySession.maxAge must be at least 1s, e.g. 1h',
    ]);
  });
});

describe('canary steps', () => {
  it('reports each malformed step once, at the step or the value at fault', () => {
    const text = withStrategy(
      'canary:',
      '  stickySession: { cookie: "a b" }',
      '  steps:',
      '    - setWeight: 10',
      '      pause: {}',
      '    - {}',
      '    - pause',
      '    - setWieght: 5',
      '    - setWeight: 12.55',
      '    - setCanaryScale: { matchTrafficWeight: false }',
      '    - setHeaderRoute: { match: [{ header: x-a }, { cookie: b, exact: 1 }] }',
    );
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:8:34 services.web.strategy.canary.stickySession.cookie: expected a cookie name such as ferry-version, got "a b"',
      'ferry.yaml:10:13 services.web.strategy.canary.steps[0]: expected one of setWeight, pause, setCanaryScale, setHeaderRoute, setMirror, analysis, judge, approval, got setWeight and pause; give each step its own list item',
      'ferry.yaml:12:13 services.web.strategy.canary.steps[1]: expected one of setWeight, pause, setCanaryScale, setHeaderRoute, setMirror, analysis, judge, approval, got none',
      'ferry.yaml:13:13 services.web.strategy.canary.steps[2]: expected a step such as setWeight: 10 or pause: {}, got "pause"',
      'ferry.yaml:14:13 services.web.strategy.canary.steps[3].setWieght: unknown field "setWieght"; expected one of setWeight, pause, setCanaryScale, setHeaderRoute, setMirror, analysis, judge, approval',
      'ferry.yaml:15:24 services.web.strategy.canary.steps[4].setWeight: expected a number from 0 to 100 with at most one decimal, got 12.55',
      'ferry.yaml:16:51 services.web.strategy.canary.steps[5].setCanaryScale.matchTrafficWeight: expected true (to stop matching, set replicas or weight), got false',
      'ferry.yaml:17:39 services.web.strategy.canary.steps[6].setHeaderRoute.match[0]: expected one of exact, prefix, regex, got none',
      'ferry.yaml:17:76 services.web.strategy.canary.steps[6].setHeaderRoute.match[1].exact: expected a string (quote numbers and booleans, e.g. "1"), got 1',
    ]);
  });

  it('allows only pause before a blue-green promotion', () => {
    const text = withStrategy('blueGreen:', '  prePromotionSteps: [setWeight: 10]');
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:8:29 services.web.strategy.blueGreen.prePromotionSteps[0].setWeight: unknown field "setWeight"; expected pause (only pause steps run before promotion for now)',
    ]);
  });
});
