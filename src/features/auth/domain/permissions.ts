/**
 * What a route may require of its caller. Every API route declares one in its route options
 * (`config: { permission: 'deploy' }`); the server refuses to start with a route that declares
 * none. `public` routes (probes, scrapes) need no token at all.
 */
export const permissions = [
  /** Every GET: services, deployments, rollouts, events, artifacts, instances, whoami. */
  'read',
  /** Deploy, roll back, stop, start and promote into an environment. */
  'deploy',
  /** Act on a running rollout: promote a step, abort, retry, pause, resume. */
  'rollout',
  /** Publish artifacts and report gate results on them (CI). */
  'publish',
  /** Pass or reject an approval (the approvals feature declares its routes with it). */
  'approve',
  /** Create, list and revoke API tokens. */
  'tokens',
  /** Read the audit log. */
  'audit',
  /** Change the server's configuration (`ferry apply`): admins only. */
  'configure',
  /** Delete artifacts past retention (`ferry artifact gc`): admins only. */
  'collect',
] as const;
export type Permission = (typeof permissions)[number];

/** What a route declares: a permission, or `public` for routes anyone may call without a token. */
export type RouteAccess = Permission | 'public';

/** Roles a token can carry, from least to most. */
export const tokenRoles = ['viewer', 'deployer', 'approver', 'admin'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/**
 * What each role may do, within the environments the token is scoped to. A deployer is the CI
 * role (it publishes artifacts and deploys); an approver approves but deploys nothing.
 */
export const rolePermissions: Readonly<Record<TokenRole, readonly Permission[]>> = {
  viewer: ['read'],
  deployer: ['read', 'deploy', 'rollout', 'publish'],
  approver: ['read', 'approve'],
  admin: permissions,
};

export function roleAllows(role: TokenRole, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}

/** Whether scopes (`["*"]` or environment names) cover `environment`. */
export function scopeCovers(scopes: readonly string[], environment: string): boolean {
  return scopes.includes('*') || scopes.includes(environment);
}
