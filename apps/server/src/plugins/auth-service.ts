import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbiddenMessage, isRole, roleAtLeast, type Role } from './auth-policy';
import { API_TOKEN_PREFIX, ApiTokenStore, sha256 } from './auth-tokens';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './password-hash';

export interface AuthUser {
  id: number;
  username: string;
  role: Role;
}

/** Who is making a request, and with what kind of credential. */
export interface RequestUser extends AuthUser {
  via: 'session' | 'token';
  /** The API token's id when via = 'token'. */
  tokenId?: number;
}

export interface Session {
  token: string;
  user: AuthUser;
  expiresAt: number;
}

/** Absolute lifetime of a session, whatever its use. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** A session unused this long is dead (a forgotten browser tab stops being a key). */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
// Refresh last_used_at at most this often: one write per minute per session, not per request.
const TOUCH_EVERY_MS = 60_000;

interface UserRow {
  id: number;
  username: string;
  role: string;
  disabled: number;
  password_hash: string;
}

/** Users' credentials, sessions (stored as sha256 of the token, never the token) and API tokens. */
export class AuthService {
  readonly tokens: ApiTokenStore;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
    /** Told about a bookkeeping write that failed (the request went on without it). */
    private readonly onWriteError: (err: unknown, what: string) => void = () => undefined,
  ) {
    this.tokens = new ApiTokenStore(db, now, onWriteError);
  }

  /**
   * Runs a bookkeeping write (last-used stamp, removing a dead session) that must not fail the
   * request around it: with the disk full or the database locked a read still answers.
   */
  private bestEffort(what: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      this.onWriteError(err, what);
    }
  }

  userCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  async createUser(username: string, password: string, role: Role = 'admin'): Promise<AuthUser> {
    const hash = await hashPassword(password);
    const info = this.db
      .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
      .run(username, hash, role, this.now());
    return { id: Number(info.lastInsertRowid), username, role };
  }

  async setPassword(userId: number, password: string): Promise<void> {
    const hash = await hashPassword(password);
    this.db
      .prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?')
      .run(hash, this.now(), userId);
  }

  /**
   * The user if the password matches and the account is enabled, else null. The same scrypt
   * work runs for unknown users, so timing does not reveal which usernames exist.
   */
  async checkPassword(username: string, password: string): Promise<AuthUser | null> {
    const row = this.db
      .prepare('SELECT id, username, role, disabled, password_hash FROM users WHERE username = ?')
      .get(username) as UserRow | undefined;
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!ok || !row || row.disabled || !isRole(row.role)) return null;
    if (needsRehash(row.password_hash)) await this.setPassword(row.id, password);
    return { id: row.id, username: row.username, role: row.role };
  }

  createSession(user: AuthUser): Session {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + SESSION_TTL_MS;
    this.db
      .prepare(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(sha256(token), user.id, now, expiresAt, now);
    return { token, user, expiresAt };
  }

  /**
   * A session or API token → its user, or null. Synchronous on purpose: WebSocket handlers
   * call it before attaching listeners.
   */
  resolveToken(token: string | undefined): RequestUser | null {
    if (!token) return null;
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const owner = this.tokens.resolve(token);
      return (
        owner && {
          id: owner.id,
          username: owner.username,
          role: owner.role,
          via: 'token',
          tokenId: owner.tokenId,
        }
      );
    }
    return this.resolveSession(token);
  }

  private resolveSession(token: string): RequestUser | null {
    const hash = sha256(token);
    const row = this.db
      .prepare(
        `SELECT u.id, u.username, u.role, u.disabled, s.expires_at, s.last_used_at FROM sessions s
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
      )
      .get(hash) as
      (Omit<UserRow, 'password_hash'> & { expires_at: number; last_used_at: number }) | undefined;
    if (!row) return null;
    const now = this.now();
    if (
      row.expires_at <= now ||
      now - row.last_used_at >= SESSION_IDLE_MS ||
      row.disabled ||
      !isRole(row.role)
    ) {
      this.bestEffort('delete a dead session', () =>
        this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash),
      );
      return null;
    }
    if (now - row.last_used_at >= TOUCH_EVERY_MS) {
      this.bestEffort('touch a session', () =>
        this.db.prepare('UPDATE sessions SET last_used_at = ? WHERE token_hash = ?').run(now, hash),
      );
    }
    return { id: row.id, username: row.username, role: row.role, via: 'session' };
  }

  revoke(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
  }

  /** Ends every session of a user (password change, disable), optionally sparing one. */
  revokeUserSessions(userId: number, exceptToken?: string): number {
    const except = exceptToken === undefined ? '' : sha256(exceptToken);
    return this.db
      .prepare('DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?')
      .run(userId, except).changes;
  }

  purgeExpired(): void {
    const now = this.now();
    this.db
      .prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_used_at <= ?')
      .run(now, now - SESSION_IDLE_MS);
  }

  /**
   * A preHandler refusing users below `role`: the same check as route `config: { role }`
   * (prefer the config; this is for routes registered where config is awkward).
   */
  requireRole(role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
    return async (request, reply) => {
      const user = request.user;
      if (!user) {
        await reply.code(401).send({ error: 'unauthorized', message: 'log in first' });
      } else if (!roleAtLeast(user.role, role)) {
        await reply
          .code(403)
          .send({ error: 'forbidden', message: forbiddenMessage(role, user.role) });
      }
    };
  }
}
