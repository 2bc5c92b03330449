import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbiddenMessage, isRole, roleAtLeast, type Role } from './auth-policy';
import { API_TOKEN_PREFIX, ApiTokenStore, sha256 } from './auth-tokens';
import type { Repositories } from '../storage/repositories';
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

/** The repositories the service reads and writes (storage/repositories.ts). */
export type AuthRepositories = Pick<Repositories, 'users' | 'sessions' | 'apiTokens'>;

/**
 * Users' credentials, sessions (stored as sha256 of the token, never the token) and API
 * tokens, through the repositories (app.repos): the same on SQLite and PostgreSQL.
 */
export class AuthService {
  readonly tokens: ApiTokenStore;

  constructor(
    private readonly repos: AuthRepositories,
    private readonly now: () => number,
    /** Told about a bookkeeping write that failed (the request went on without it). */
    private readonly onWriteError: (err: unknown, what: string) => void = () => undefined,
  ) {
    this.tokens = new ApiTokenStore(repos.apiTokens, now, onWriteError);
  }

  /**
   * Starts a bookkeeping write (last-used stamp, removing a dead session) that must not fail
   * or slow the request around it: with the disk full or the database locked a read still
   * answers. Not awaited (on SQLite it has run when this returns anyway).
   */
  private bestEffort(what: string, write: () => Promise<unknown>): void {
    write().catch((err: unknown) => this.onWriteError(err, what));
  }

  userCount(): Promise<number> {
    return this.repos.users.count();
  }

  async createUser(username: string, password: string, role: Role = 'admin'): Promise<AuthUser> {
    const passwordHash = await hashPassword(password);
    const id = await this.repos.users.create({
      username,
      passwordHash,
      role,
      createdAt: this.now(),
    });
    return { id, username, role };
  }

  async setPassword(userId: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.repos.users.update(userId, { passwordHash }, this.now());
  }

  /**
   * The user if the password matches and the account is enabled, else null. The same scrypt
   * work runs for unknown users, so timing does not reveal which usernames exist.
   */
  async checkPassword(username: string, password: string): Promise<AuthUser | null> {
    const row = await this.repos.users.credentials(username);
    const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
    if (!ok || !row || row.disabled || !isRole(row.role)) return null;
    if (needsRehash(row.passwordHash)) await this.setPassword(row.id, password);
    return { id: row.id, username: row.username, role: row.role };
  }

  async createSession(user: AuthUser): Promise<Session> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + SESSION_TTL_MS;
    await this.repos.sessions.create({
      tokenHash: sha256(token),
      userId: user.id,
      createdAt: now,
      expiresAt,
    });
    return { token, user, expiresAt };
  }

  /**
   * A session or API token → its user, or null: one indexed lookup per request (a prepared
   * statement on SQLite), plus a last-used write at most once a minute per credential.
   */
  async resolveToken(token: string | undefined): Promise<RequestUser | null> {
    if (!token) return null;
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const owner = await this.tokens.resolve(token);
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

  private async resolveSession(token: string): Promise<RequestUser | null> {
    const hash = sha256(token);
    const row = await this.repos.sessions.lookup(hash);
    if (!row) return null;
    const now = this.now();
    if (
      row.expiresAt <= now ||
      now - row.lastUsedAt >= SESSION_IDLE_MS ||
      row.disabled ||
      !isRole(row.role)
    ) {
      this.bestEffort('delete a dead session', () => this.repos.sessions.delete(hash));
      return null;
    }
    if (now - row.lastUsedAt >= TOUCH_EVERY_MS) {
      this.bestEffort('touch a session', () => this.repos.sessions.touch(hash, now));
    }
    return { id: row.userId, username: row.username, role: row.role, via: 'session' };
  }

  async revoke(token: string): Promise<void> {
    await this.repos.sessions.delete(sha256(token));
  }

  /** Ends every session of a user (password change, disable), optionally sparing one. */
  revokeUserSessions(userId: number, exceptToken?: string): Promise<number> {
    return this.repos.sessions.deleteForUser(
      userId,
      exceptToken === undefined ? undefined : sha256(exceptToken),
    );
  }

  async purgeExpired(): Promise<void> {
    const now = this.now();
    await this.repos.sessions.purge(now, now - SESSION_IDLE_MS);
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
