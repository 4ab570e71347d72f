import { NotFoundError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { EventLog } from '../events/event-log.js';
import {
  allEnvironments,
  isActive,
  toTokenView,
  type ApiToken,
  type TokenView,
} from './domain/api-token.js';
import type { TokenRole } from './domain/permissions.js';
import { hashSecret, newTokenSecret, secretMatches, tokenIdOf } from './token-secret.js';
import type { TokenStore } from './token-store.js';

/** `last_used_at` is written at most this often per token, not on every request. */
const touchIntervalMs = 60_000;

/** A token just made: its record and its secret, which is never shown again. */
export interface CreatedToken {
  readonly token: TokenView;
  readonly secret: string;
}

/** Creates, lists, revokes and checks API tokens. Secrets are hashed before they are stored. */
export class TokenService {
  constructor(
    private readonly store: TokenStore,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async create(input: {
    readonly name: string;
    /** Lifetime in ms; none: the token lasts until revoked. */
    readonly lifetimeMs?: number;
    readonly actor: string;
    /** `admin` when not given, as every token was before roles. */
    readonly role?: TokenRole;
    /** Environment names, or `["*"]` (the default): every environment. */
    readonly scopes?: readonly string[];
  }): Promise<CreatedToken> {
    const now = this.clock.now();
    const id = newId('tok', now);
    const secret = newTokenSecret(id);
    const token: ApiToken = {
      id,
      name: input.name,
      role: input.role ?? 'admin',
      scopes:
        input.scopes && input.scopes.length > 0 ? [...new Set(input.scopes)] : allEnvironments,
      secretSha256: hashSecret(secret),
      createdAt: new Date(now).toISOString(),
      createdBy: input.actor,
      expiresAt:
        input.lifetimeMs === undefined ? null : new Date(now + input.lifetimeMs).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.insert(token);
    const { name, role, scopes, expiresAt } = token;
    await this.events.append({
      actor: input.actor,
      kind: 'token.created',
      subject: `token/${id}`,
      payload: { id, name, role, scopes, expiresAt },
    });
    return { token: toTokenView(token), secret };
  }

  async list(): Promise<readonly TokenView[]> {
    return (await this.store.list()).map(toTokenView);
  }

  /** Revokes a token for good; revoking it again changes nothing. */
  async revoke(id: string, actor: string): Promise<TokenView> {
    const before = await this.store.get(id);
    if (!before) throw new NotFoundError('token', id);
    if (before.revokedAt !== null) return toTokenView(before);
    const token = await this.store.revoke(id, new Date(this.clock.now()).toISOString());
    if (!token) throw new NotFoundError('token', id);
    await this.events.append({
      actor,
      kind: 'token.revoked',
      subject: `token/${id}`,
      payload: { id, name: token.name },
    });
    return toTokenView(token);
  }

  /** The active token `secret` belongs to, recording its use; undefined for any bad secret. */
  async authenticate(secret: string): Promise<TokenView | undefined> {
    const token = await this.find(secret);
    if (!token) return undefined;
    const now = this.clock.now();
    if (token.lastUsedAt === null || Date.parse(token.lastUsedAt) <= now - touchIntervalMs) {
      const at = new Date(now).toISOString();
      // Bookkeeping only: a store that cannot write (a full disk) must not lock callers out.
      await this.store.touch(token.id, at).catch(() => undefined);
      return toTokenView({ ...token, lastUsedAt: at });
    }
    return toTokenView(token);
  }

  /** Whether `secret` is an active token, without recording a use. */
  async isActiveSecret(secret: string): Promise<boolean> {
    return (await this.find(secret)) !== undefined;
  }

  /**
   * Creates the bootstrap admin token when no admin token on every environment is active: on the first start, and
   * again after every admin token was revoked or expired (whoever can restart the server owns
   * its data anyway). Returns its secret, or undefined when an admin token is active.
   */
  async bootstrap(): Promise<string | undefined> {
    const now = this.clock.now();
    const tokens = await this.store.list();
    const admin = (t: ApiToken) => t.role === 'admin' && t.scopes.includes('*');
    if (tokens.some((t) => admin(t) && isActive(t, now))) return undefined;
    return (await this.create({ name: 'bootstrap', actor: 'bootstrap' })).secret;
  }

  private async find(secret: string): Promise<ApiToken | undefined> {
    const id = tokenIdOf(secret);
    const token = id === undefined ? undefined : await this.store.get(id);
    if (!token || !secretMatches(secret, token.secretSha256)) return undefined;
    return isActive(token, this.clock.now()) ? token : undefined;
  }
}
