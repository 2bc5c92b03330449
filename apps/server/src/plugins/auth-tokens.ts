import { createHash, randomBytes } from 'node:crypto';
import type { ApiTokenRecord, ApiTokensRepository } from '../storage/repositories';
import { isRole, lowerRole, type Role } from './auth-policy';

/** API tokens start with this, so the resolver knows which table to look in. */
export const API_TOKEN_PREFIX = 'kwt_';

export type ApiTokenInfo = ApiTokenRecord;

export interface TokenOwner {
  id: number;
  username: string;
  role: Role;
  tokenId: number;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

// last_used_at is informational: one write a minute per token is plenty.
const TOUCH_EVERY_MS = 60_000;

/**
 * Long-lived tokens for scripts, stored as sha256 (the secret is shown once, at creation),
 * through the API tokens repository (storage/repositories.ts).
 */
export class ApiTokenStore {
  constructor(
    private readonly repo: ApiTokensRepository,
    private readonly now: () => number,
    private readonly onWriteError: (err: unknown, what: string) => void = () => undefined,
  ) {}

  async create(
    userId: number,
    name: string,
    role: Role,
    ttlMs: number | null,
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.now();
    const info = await this.repo.create({
      userId,
      name,
      tokenHash: sha256(token),
      role,
      createdAt: now,
      expiresAt: ttlMs === null ? null : now + ttlMs,
    });
    return { token, info };
  }

  get(id: number): Promise<ApiTokenInfo | undefined> {
    return this.repo.get(id);
  }

  /** All tokens, or only one user's. */
  list(userId?: number): Promise<ApiTokenInfo[]> {
    return this.repo.list(userId);
  }

  ownerId(id: number): Promise<number | undefined> {
    return this.repo.ownerId(id);
  }

  revoke(id: number): Promise<boolean> {
    return this.repo.delete(id);
  }

  /** Deletes every API token of a user (an admin's password reset); returns how many. */
  revokeUser(userId: number): Promise<number> {
    return this.repo.deleteForUser(userId);
  }

  /** The owner acting through this token, at min(token role, owner role); null if unusable. */
  async resolve(token: string): Promise<TokenOwner | null> {
    const now = this.now();
    const row = await this.repo.lookup(sha256(token));
    if (!row || row.disabled || !isRole(row.tokenRole) || !isRole(row.role)) return null;
    if (row.expiresAt !== null && row.expiresAt <= now) return null;
    if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS) {
      // Best-effort and not awaited: a full disk must not turn a script's reads into 500s.
      this.repo
        .touch(row.tokenId, now)
        .catch((err: unknown) => this.onWriteError(err, 'touch an API token'));
    }
    return {
      id: row.userId,
      username: row.username,
      role: lowerRole(row.tokenRole, row.role),
      tokenId: row.tokenId,
    };
  }
}
