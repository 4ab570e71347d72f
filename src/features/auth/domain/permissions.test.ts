import { describe, expect, it } from 'vitest';
import { permissions, roleAllows, scopeCovers, tokenRoles } from './permissions.js';

describe('roles', () => {
  it('grant what each role is for, and nothing else', () => {
    const granted = Object.fromEntries(
      tokenRoles.map((role) => [role, permissions.filter((p) => roleAllows(role, p))]),
    );
    expect(granted).toEqual({
      viewer: ['read'],
      deployer: ['read', 'deploy', 'rollout', 'publish'],
      approver: ['read', 'approve'],
      admin: [
        'read',
        'deploy',
        'rollout',
        'publish',
        'approve',
        'tokens',
        'audit',
        'configure',
        'collect',
      ],
    });
  });

  it('scopes cover the environments listed, or every one with *', () => {
    expect(scopeCovers(['staging', 'dev'], 'dev')).toBe(true);
    expect(scopeCovers(['staging', 'dev'], 'prod')).toBe(false);
    expect(scopeCovers(['*'], 'prod')).toBe(true);
  });
});
