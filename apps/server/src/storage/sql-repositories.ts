import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { isRole } from '../plugins/auth-policy';
import type {
  ApiTokenLookup,
  ApiTokenRecord,
  ApiTokensRepository,
  NewApiToken,
  NewSession,
  Repositories,
  SessionLookup,
  SessionsRepository,
} from './repositories';
import { SqlActionRequests } from './sql-action-requests';
import { SqlAudit } from './sql-audit';
import { SqlConfig } from './sql-config';
import { SqlAlertChannels, SqlAlertQueue, SqlAlerts } from './sql-alerts';
import { SqlDrillSchedules, SqlDrills } from './sql-drills';
import { SqlEnrollment } from './sql-enrollment';
import { SqlHistory } from './sql-history';
import { SqlIngest } from './sql-ingest';
import { SqlLeases } from './sql-leases';
import { SqlMaintenance } from './sql-maintenance';
import { SqlUsers } from './sql-users';
import { postgresDriver, sqliteDriver, type SqlDriver } from './sql-driver';

/*
 * The repositories of repositories.ts, once, over either driver. Column aliases are quoted
 * ("createdAt") because PostgreSQL folds unquoted names to lower case; 0/1 integers stand
 * for booleans in both engines (the SQLite schema's choice, kept in the PostgreSQL one).
 */

class SqlSessions implements SessionsRepository {
  constructor(private readonly q: SqlDriver) {}

  async create(s: NewSession): Promise<void> {
    await this.q.run(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_used_at) VALUES ($1, $2, $3, $4, $3)',
      [s.tokenHash, s.userId, s.createdAt, s.expiresAt],
    );
  }

  async lookup(tokenHash: string): Promise<SessionLookup | undefined> {
    const row = await this.q.get<Omit<SessionLookup, 'disabled'> & { disabled: number }>(
      `SELECT u.id AS "userId", u.username, u.role, u.disabled, s.created_at AS "createdAt",
              s.expires_at AS "expiresAt", s.last_used_at AS "lastUsedAt"
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
      [tokenHash],
    );
    return row && { ...row, disabled: row.disabled !== 0 };
  }

  async touch(tokenHash: string, at: number): Promise<void> {
    await this.q.run('UPDATE sessions SET last_used_at = $2 WHERE token_hash = $1', [
      tokenHash,
      at,
    ]);
  }

  async delete(tokenHash: string): Promise<boolean> {
    return (await this.q.run('DELETE FROM sessions WHERE token_hash = $1', [tokenHash])) > 0;
  }

  deleteForUser(userId: number, exceptHash?: string): Promise<number> {
    return this.q.run('DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2', [
      userId,
      exceptHash ?? '',
    ]);
  }

  purge(expiredAt: number, idleBefore: number): Promise<number> {
    return this.q.run('DELETE FROM sessions WHERE expires_at <= $1 OR last_used_at <= $2', [
      expiredAt,
      idleBefore,
    ]);
  }
}

const TOKEN_SELECT = `SELECT t.id, t.name, t.role, u.username AS owner, t.created_at AS "createdAt",
  t.expires_at AS "expiresAt", t.last_used_at AS "lastUsedAt"
  FROM api_tokens t JOIN users u ON u.id = t.user_id`;

type TokenRow = Omit<ApiTokenRecord, 'role'> & { role: string };

const toToken = (r: TokenRow): ApiTokenRecord => ({
  ...r,
  role: isRole(r.role) ? r.role : 'viewer',
});

class SqlApiTokens implements ApiTokensRepository {
  constructor(private readonly q: SqlDriver) {}

  async create(t: NewApiToken): Promise<ApiTokenRecord> {
    const row = await this.q.get<{ id: number }>(
      'INSERT INTO api_tokens (user_id, name, token_hash, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [t.userId, t.name, t.tokenHash, t.role, t.createdAt, t.expiresAt],
    );
    const info = row && (await this.get(row.id));
    if (!info) throw new Error('token vanished right after insert');
    return info;
  }

  async get(id: number): Promise<ApiTokenRecord | undefined> {
    const row = await this.q.get<TokenRow>(`${TOKEN_SELECT} WHERE t.id = $1`, [id]);
    return row && toToken(row);
  }

  async list(userId?: number): Promise<ApiTokenRecord[]> {
    const rows =
      userId === undefined
        ? await this.q.all<TokenRow>(`${TOKEN_SELECT} ORDER BY t.id`)
        : await this.q.all<TokenRow>(`${TOKEN_SELECT} WHERE t.user_id = $1 ORDER BY t.id`, [
            userId,
          ]);
    return rows.map(toToken);
  }

  async ownerId(id: number): Promise<number | undefined> {
    const row = await this.q.get<{ userId: number }>(
      'SELECT user_id AS "userId" FROM api_tokens WHERE id = $1',
      [id],
    );
    return row?.userId;
  }

  async delete(id: number): Promise<boolean> {
    return (await this.q.run('DELETE FROM api_tokens WHERE id = $1', [id])) > 0;
  }

  deleteForUser(userId: number): Promise<number> {
    return this.q.run('DELETE FROM api_tokens WHERE user_id = $1', [userId]);
  }

  async lookup(tokenHash: string): Promise<ApiTokenLookup | undefined> {
    const row = await this.q.get<Omit<ApiTokenLookup, 'disabled'> & { disabled: number }>(
      `SELECT t.id AS "tokenId", t.role AS "tokenRole", t.expires_at AS "expiresAt",
              t.last_used_at AS "lastUsedAt", u.id AS "userId", u.username, u.role, u.disabled
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
      [tokenHash],
    );
    return row && { ...row, disabled: row.disabled !== 0 };
  }

  async touch(id: number, at: number): Promise<void> {
    await this.q.run('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
  }
}

/** The repositories over a driver (sqliteDriver(db) or postgresDriver(pool)). */
export function sqlRepositories(q: SqlDriver): Repositories {
  return {
    dialect: q.dialect,
    users: new SqlUsers(q),
    sessions: new SqlSessions(q),
    apiTokens: new SqlApiTokens(q),
    enrollment: new SqlEnrollment(q),
    audit: new SqlAudit(q),
    ingest: new SqlIngest(q),
    leases: new SqlLeases(q),
    maintenance: new SqlMaintenance(q),
    config: new SqlConfig(q),
    alerts: new SqlAlerts(q),
    alertChannels: new SqlAlertChannels(q),
    alertQueue: new SqlAlertQueue(q),
    history: new SqlHistory(q),
    drills: new SqlDrills(q),
    drillSchedules: new SqlDrillSchedules(q),
    actionRequests: new SqlActionRequests(q),
  };
}

/** The repositories on a better-sqlite3 database (migrated by plugins/db-migrations.ts). */
export const sqliteRepositories = (db: Database): Repositories => sqlRepositories(sqliteDriver(db));

/** The repositories on a pool from connectPostgres (its int8 parser; migrated by pg-migrations.ts). */
export const postgresRepositories = (pool: pg.Pool): Repositories =>
  sqlRepositories(postgresDriver(pool));
