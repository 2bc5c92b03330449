import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { hashPassword, verifyPassword } from './password-hash';

export interface AuthUser {
  id: number;
  username: string;
  role: string;
}

export interface Session {
  token: string;
  user: AuthUser;
  expiresAt: number;
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

// A fixed hash to verify against when the user does not exist, so timing does not reveal it.
const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$' + Buffer.alloc(64).toString('base64url');

/** Users (scrypt) and sessions (stored as sha256 of the bearer token, never the token). */
export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  userCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  async createUser(username: string, password: string, role = 'admin'): Promise<AuthUser> {
    const hash = await hashPassword(password);
    const info = this.db
      .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
      .run(username, hash, role, this.now());
    return { id: Number(info.lastInsertRowid), username, role };
  }

  /** The user if the password matches, else null (same work either way). */
  async checkPassword(username: string, password: string): Promise<AuthUser | null> {
    const row = this.db
      .prepare('SELECT id, username, role, password_hash FROM users WHERE username = ?')
      .get(username) as (AuthUser & { password_hash: string }) | undefined;
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    return ok && row ? { id: row.id, username: row.username, role: row.role } : null;
  }

  createSession(user: AuthUser): Session {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + SESSION_TTL_MS;
    this.db
      .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(sha256(token), user.id, now, expiresAt);
    return { token, user, expiresAt };
  }

  /** Synchronous on purpose: WebSocket handlers call it before attaching listeners. */
  resolveToken(token: string | undefined): AuthUser | null {
    if (!token) return null;
    const row = this.db
      .prepare(
        `SELECT u.id, u.username, u.role, s.expires_at FROM sessions s
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
      )
      .get(sha256(token)) as (AuthUser & { expires_at: number }) | undefined;
    if (!row || row.expires_at <= this.now()) return null;
    return { id: row.id, username: row.username, role: row.role };
  }

  revoke(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
  }

  purgeExpired(): void {
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(this.now());
  }
}
