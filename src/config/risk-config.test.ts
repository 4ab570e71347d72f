import { describe, expect, it } from 'vitest';
import { problemsOf } from './config-problems.js';
import { parseConfig } from './load-config.js';

const config = (risk: string) => `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
services:
  web:
    runtime: { local: { command: node server.js } }
    routes: { staging: 127.0.0.1:18002, prod: 127.0.0.1:18003 }
risk:
${risk}`;

describe('risk', () => {
  it('resolves rules with defaults: one approver, reject on expiry, no self-approval', () => {
    const parsed = parseConfig(
      config(`  rules:
    - name: prod-migrations
      when: { environments: [prod], meta: { migrations: "true" } }
      require: { approvals: 2, expiry: 2h, remindBefore: [30m] }
    - name: big
      when: { minCommits: 100 }
      require: { expiry: 1h, onExpiry: proceed, roles: [approver, admin], allowSelfApproval: true }
`),
      'ferry.yaml',
    );
    expect(parsed.risk.rules).toEqual([
      {
        name: 'prod-migrations',
        when: { environments: ['prod'], meta: { migrations: 'true' } },
        require: {
          approvals: 2,
          roles: ['approver'],
          expiryMs: 7_200_000,
          onExpiry: 'reject',
          allowSelfApproval: false,
          remindBeforeMs: [1_800_000],
        },
      },
      {
        name: 'big',
        when: { minCommits: 100 },
        require: {
          approvals: 1,
          roles: ['approver', 'admin'],
          expiryMs: 3_600_000,
          onExpiry: 'proceed',
          allowSelfApproval: true,
          remindBeforeMs: [],
        },
      },
    ]);
  });

  it('no risk section: no rules', () => {
    const text = config('').replace('risk:\n', '');
    expect(parseConfig(text, 'ferry.yaml').risk).toEqual({ rules: [] });
  });

  it('locates an unknown environment, a missing expiry, a bad outcome and an unknown role', () => {
    const problems = problemsOf(
      config(`  rules:
    - name: r1
      when: { environments: [production] }
      require: { approvals: 1 }
    - name: r2
      require: { expiry: 1h, onExpiry: wait, roles: [boss] }
`),
    );
    expect(problems).toEqual([
      'ferry.yaml:12:30 risk.rules[0].when.environments[0]: unknown environment "production"; declared environments are staging, prod',
      'ferry.yaml:13:16 risk.rules[0].require.expiry: required field is missing (expected a duration such as 500ms, 10s or 5m)',
      'ferry.yaml:15:40 risk.rules[1].require.onExpiry: expected one of reject, proceed, got "wait"',
      'ferry.yaml:15:54 risk.rules[1].require.roles[0]: expected one of viewer, deployer, approver, admin, got "boss"',
    ]);
  });
});
