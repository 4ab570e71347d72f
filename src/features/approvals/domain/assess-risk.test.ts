import { describe, expect, it } from 'vitest';
import type { ApprovalRequirement } from './approval-requirement.js';
import { assessRisk, type ChangeFacts } from './assess-risk.js';
import type { RiskPolicy } from './risk-policy.js';

const require = (overrides: Partial<ApprovalRequirement> = {}): ApprovalRequirement => ({
  approvals: 1,
  roles: ['approver'],
  expiryMs: 7_200_000,
  onExpiry: 'reject',
  allowSelfApproval: false,
  remindBeforeMs: [],
  ...overrides,
});

const facts = (overrides: Partial<ChangeFacts> = {}): ChangeFacts => ({
  environment: 'staging',
  meta: {},
  configKeys: [],
  commits: null,
  files: null,
  firstDeployment: false,
  rollbackOutsideWindow: false,
  approvalWindows: [],
  ...overrides,
});

const policy: RiskPolicy = {
  rules: [
    {
      name: 'prod-migrations',
      when: { environments: ['prod'], meta: { migrations: 'true' } },
      require: require({ approvals: 2, remindBeforeMs: [1_800_000] }),
    },
    {
      name: 'big-change',
      when: { minCommits: 50 },
      require: require({ expiryMs: 3_600_000, onExpiry: 'proceed' }),
    },
    { name: 'replicas', when: { configKeys: ['replicas', 'env'] }, require: require() },
    { name: 'first', when: { firstDeployment: true }, require: require() },
    { name: 'old-rollback', when: { rollbackOutsideWindow: true }, require: require() },
    { name: 'window', when: { windowApproval: true }, require: require() },
  ],
};

describe('assessRisk', () => {
  it('a staging deploy with nothing risky is low-risk and needs nobody', () => {
    expect(assessRisk(policy, facts())).toEqual({ level: 'low', matched: [], requirement: null });
  });

  it('a prod artifact with migrations=true matches on both conditions', () => {
    const assessment = assessRisk(
      policy,
      facts({ environment: 'prod', meta: { migrations: 'true' } }),
    );
    expect(assessment.level).toBe('high');
    expect(assessment.matched).toEqual([
      expect.objectContaining({
        rule: 'prod-migrations',
        reasons: ['environment prod', 'artifact migrations=true'],
      }),
    ]);
    expect(assessment.requirement).toMatchObject({ approvals: 2, remindBeforeMs: [1_800_000] });
  });

  it('migrations=true outside prod, or prod without migrations, does not match', () => {
    expect(assessRisk(policy, facts({ meta: { migrations: 'true' } })).level).toBe('low');
    expect(
      assessRisk(policy, facts({ environment: 'prod', meta: { migrations: 'false' } })).level,
    ).toBe('low');
  });

  it('a size rule matches only when the size is known and large enough', () => {
    expect(assessRisk(policy, facts({ commits: null })).level).toBe('low');
    expect(assessRisk(policy, facts({ commits: 49 })).level).toBe('low');
    expect(assessRisk(policy, facts({ commits: 50 })).matched[0]?.reasons).toEqual([
      '50 commits (>= 50)',
    ]);
  });

  it('config keys, first deployments, old rollbacks and approval windows each match', () => {
    const rules = (f: Partial<ChangeFacts>) =>
      assessRisk(policy, facts(f)).matched.map((m) => m.rule);
    expect(rules({ configKeys: ['env', 'health'] })).toEqual(['replicas']);
    expect(rules({ configKeys: ['health'] })).toEqual([]);
    expect(rules({ firstDeployment: true })).toEqual(['first']);
    expect(rules({ rollbackOutsideWindow: true })).toEqual(['old-rollback']);
    expect(rules({ approvalWindows: ['release-train'] })).toEqual(['window']);
  });

  it('several matched rules need the strictest of each: most approvals, shortest expiry, reject', () => {
    const assessment = assessRisk(
      policy,
      facts({ environment: 'prod', meta: { migrations: 'true' }, commits: 80 }),
    );
    expect(assessment.matched.map((m) => m.rule)).toEqual(['prod-migrations', 'big-change']);
    expect(assessment.requirement).toEqual(
      require({
        approvals: 2,
        expiryMs: 3_600_000,
        onExpiry: 'reject',
        remindBeforeMs: [1_800_000],
      }),
    );
  });

  it('a rule of only proceed-on-expiry rules proceeds', () => {
    expect(assessRisk(policy, facts({ commits: 60 })).requirement?.onExpiry).toBe('proceed');
  });
});
