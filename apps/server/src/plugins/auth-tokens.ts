import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { isRole, lowerRole, type Role } from './auth-policy';

/** API tokens start with this, so the resolver knows which table to look in. */
export const API_TOKEN_PREFIX = 'kwt_';

export interface ApiTokenInfo {
  id: number;
  name: string;
  role: Role;
  owner: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export interface TokenOwner {
  id: number;
  username: string;
  role: Role;
  tokenId: number;
}

interface TokenRow {
  id: number;
  name: string;
  role: string;
  owner: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

// last_used_at is informational: one write a minute per token is plenty.
const TOUCH_EVERY_MS = 60_000;

function toInfo(r: TokenRow): ApiTokenInfo {
  return {
    id: r.id,
    name: r.name,
    role: isRole(r.role) ? r.role : 'viewer',
    owner: r.owner,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  };
}

const SELECT_INFO = `SELECT t.id, t.name, t.role, u.username AS owner, t.created_at, t.expires_at, t.last_used_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id`;

/** Long-lived tokens for scripts, stored as sha256 (the secret is shown once, at creation). */
export class ApiTokenStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    private readonly onWriteError: (err: unknown, what: string) => void = () => undefined,
  ) {}

  create(
    userId: number,
    name: string,
    role: Role,
    ttlMs: number | null,
  ): { token: string; info: ApiTokenInfo } {
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.now();
    const info = this.db
      .prepare(
        'INSERT INTO api_tokens (user_id, name, token_hash, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(userId, name, sha256(token), role, now, ttlMs === null ? null : now + ttlMs);
    const row = this.get(Number(info.lastInsertRowid));
    if (!row) throw new Error('token vanished right after insert');
    return { token, info: row };
  }

  get(id: number): ApiTokenInfo | undefined {
    const row = this.db.prepare(`${SELECT_INFO} WHERE t.id = ?`).get(id) as TokenRow | undefined;
    return row && toInfo(row);
  }

  /** All tokens, or only one user's. */
  list(userId?: number): ApiTokenInfo[] {
    const rows = (
      userId === undefined
        ? this.db.prepare(`${SELECT_INFO} ORDER BY t.id`).all()
        : this.db.prepare(`${SELECT_INFO} WHERE t.user_id = ? ORDER BY t.id`).all(userId)
    ) as TokenRow[];
    return rows.map(toInfo);
  }

  ownerId(id: number): number | undefined {
    const row = this.db.prepare('SELECT user_id FROM api_tokens WHERE id = ?').get(id) as
      { user_id: number } | undefined;
    return row?.user_id;
  }

  revoke(id: number): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id).changes > 0;
  }

  /** Deletes every API token of a user (an admin's password reset); returns how many. */
  revokeUser(userId: number): number {
    return this.db.prepare('DELETE FROM api_tokens WHERE user_id = ?').run(userId).changes;
  }

  /** The owner acting through this token, at min(token role, owner role); null if unusable. */
  resolve(token: string): TokenOwner | null {
    const now = this.now();
    const row = this.db
      .prepare(
        `SELECT t.id AS token_id, t.role AS token_role, t.expires_at, t.last_used_at,
                u.id, u.username, u.role, u.disabled
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
      )
      .get(sha256(token)) as
      | ({
          token_id: number;
          token_role: string;
          expires_at: number | null;
          last_used_at: number | null;
        } & { id: number; username: string; role: string; disabled: number })
      | undefined;
    if (!row || row.disabled || !isRole(row.token_role) || !isRole(row.role)) return null;
    if (row.expires_at !== null && row.expires_at <= now) return null;
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_EVERY_MS) {
      // Best-effort: a full disk must not turn a script's reads into 500s.
      try {
        this.db
          .prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?')
          .run(now, row.token_id);
      } catch (err) {
        this.onWriteError(err, 'touch an API token');
      }
    }
    return {
      id: row.id,
      username: row.username,
      role: lowerRole(row.token_role, row.role),
      tokenId: row.token_id,
    };
  }
}
