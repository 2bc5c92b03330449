import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { isRole } from '../plugins/auth-policy';
import type { CredentialRow, EnrollmentTokenInfo } from '../modules/enrollment/enrollment-store';
import type { NodeBinding } from '../modules/enrollment/node-binding';
import type {
  ApiTokenLookup,
  ApiTokenRecord,
  ApiTokensRepository,
  EnrollAttempt,
  EnrollmentRepository,
  EnrollOutcome,
  NewApiToken,
  NewEnrollmentToken,
  NewSession,
  Repositories,
  SessionLookup,
  SessionsRepository,
} from './repositories';
import { SqlAudit } from './sql-audit';
import { SqlConfig } from './sql-config';
import { SqlAlertChannels, SqlAlertQueue, SqlAlerts } from './sql-alerts';
import { SqlIngest } from './sql-ingest';
import { SqlLeases } from './sql-leases';
import { SqlMaintenance } from './sql-maintenance';
import { SqlUsers } from './sql-users';
import {
  postgresDriver,
  sqliteDriver,
  txGet,
  txLock,
  txRun,
  type SqlDriver,
  type TxBody,
} from './sql-driver';

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

const ENROLL_TOKEN_COLUMNS = `id, note, created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", used_at AS "usedAt", used_by AS "usedBy", revoked_at AS "revokedAt"`;

interface CredentialDbRow {
  agentId: string;
  hash: string | null;
  hostname: string | null;
  nodeName: string | null;
  clusterId: string | null;
  role: string | null;
  enrolledAt: number;
  revokedAt: number | null;
}

const CREDENTIAL_COLUMNS = `agent_id AS "agentId", credential_hash AS hash, hostname, node_name AS "nodeName",
  cluster_id AS "clusterId", role, enrolled_at AS "enrolledAt", revoked_at AS "revokedAt"`;

function toCredential(r: CredentialDbRow): CredentialRow & { hash: string | null } {
  const bound =
    r.nodeName !== null && r.clusterId !== null && (r.role === 'lb' || r.role === 'backend');
  return {
    agentId: r.agentId,
    hash: r.hash,
    hasCredential: r.hash !== null,
    hostname: r.hostname,
    enrolledAt: r.enrolledAt,
    revokedAt: r.revokedAt,
    binding: bound
      ? {
          name: r.nodeName ?? '',
          clusterId: r.clusterId ?? '',
          role: r.role as NodeBinding['role'],
        }
      : null,
  };
}

const NODE_HOLDER = `SELECT agent_id AS "agentId" FROM agent_credentials
  WHERE cluster_id = $1 AND node_name = $2 AND credential_hash IS NOT NULL
    AND revoked_at IS NULL AND agent_id <> $3 LIMIT 1`;

/** The enrollment transaction (modules/enrollment ID-2): checks, then spends and stores. */
function* enrollBody(a: EnrollAttempt): TxBody<EnrollOutcome> {
  // One enrollment at a time: the node check and the insert must not interleave with another's.
  yield txLock('keepwatch.enroll');
  const token = (yield txGet(
    'SELECT id, expires_at AS "expiresAt", used_at AS "usedAt", revoked_at AS "revokedAt" FROM enrollment_tokens WHERE token_hash = $1',
    [a.tokenHash],
  )) as Pick<EnrollmentTokenInfo, 'id' | 'expiresAt' | 'usedAt' | 'revokedAt'> | undefined;
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revokedAt !== null) return { ok: false, reason: 'revoked' };
  if (token.usedAt !== null) return { ok: false, reason: 'used' };
  if (token.expiresAt <= a.at) return { ok: false, reason: 'expired' };
  const holder = (yield txGet(NODE_HOLDER, [a.binding.clusterId, a.binding.name, ''])) as
    { agentId: string } | undefined;
  if (holder) return { ok: false, reason: 'node_taken', holder: holder.agentId };
  // The WHERE repeats the checks so the spend is atomic even against a writer outside the lock.
  const spent = (yield txRun(
    'UPDATE enrollment_tokens SET used_at = $1, used_by = $2 WHERE id = $3 AND used_at IS NULL AND revoked_at IS NULL',
    [a.at, a.agentId, token.id],
  )) as number;
  if (spent !== 1) return { ok: false, reason: 'used' };
  yield txRun(
    `INSERT INTO agent_credentials (agent_id, credential_hash, hostname, node_name, cluster_id, role, token_id, enrolled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      a.agentId,
      a.credentialHash,
      a.hostname,
      a.binding.name,
      a.binding.clusterId,
      a.binding.role,
      token.id,
      a.at,
    ],
  );
  return { ok: true, tokenId: token.id };
}

class SqlEnrollment implements EnrollmentRepository {
  constructor(private readonly q: SqlDriver) {}

  async createToken(t: NewEnrollmentToken): Promise<void> {
    await this.q.run(
      'INSERT INTO enrollment_tokens (id, token_hash, note, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [t.id, t.tokenHash, t.note, t.createdBy, t.createdAt, t.expiresAt],
    );
  }

  listTokens(): Promise<EnrollmentTokenInfo[]> {
    return this.q.all<EnrollmentTokenInfo>(
      `SELECT ${ENROLL_TOKEN_COLUMNS} FROM enrollment_tokens ORDER BY created_at DESC, id DESC`,
    );
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const n = await this.q.run(
      'UPDATE enrollment_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, at],
    );
    return n === 1;
  }

  enroll(attempt: EnrollAttempt): Promise<EnrollOutcome> {
    return this.q.transaction(() => enrollBody(attempt));
  }

  async credential(
    agentId: string,
  ): Promise<(CredentialRow & { hash: string | null }) | undefined> {
    const row = await this.q.get<CredentialDbRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM agent_credentials WHERE agent_id = $1`,
      [agentId],
    );
    return row && toCredential(row);
  }

  async nodeHolder(
    node: Pick<NodeBinding, 'name' | 'clusterId'>,
    except?: string,
  ): Promise<string | undefined> {
    const row = await this.q.get<{ agentId: string }>(NODE_HOLDER, [
      node.clusterId,
      node.name,
      except ?? '',
    ]);
    return row?.agentId;
  }

  async bind(agentId: string, b: NodeBinding): Promise<void> {
    await this.q.run(
      'UPDATE agent_credentials SET node_name = $2, cluster_id = $3, role = $4 WHERE agent_id = $1',
      [agentId, b.name, b.clusterId, b.role],
    );
  }

  async allCredentials(): Promise<CredentialRow[]> {
    const rows = await this.q.all<CredentialDbRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM agent_credentials ORDER BY agent_id`,
    );
    return rows.map(toCredential);
  }

  async revokeAgent(agentId: string, at: number): Promise<boolean> {
    const n = await this.q.run(
      `INSERT INTO agent_credentials (agent_id, credential_hash, enrolled_at, revoked_at) VALUES ($1, NULL, $2, $2)
       ON CONFLICT (agent_id) DO UPDATE SET revoked_at = excluded.revoked_at
       WHERE agent_credentials.revoked_at IS NULL`,
      [agentId, at],
    );
    return n === 1;
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
  };
}

/** The repositories on a better-sqlite3 database (migrated by plugins/db-migrations.ts). */
export const sqliteRepositories = (db: Database): Repositories => sqlRepositories(sqliteDriver(db));

/** The repositories on a pool from connectPostgres (its int8 parser; migrated by pg-migrations.ts). */
export const postgresRepositories = (pool: pg.Pool): Repositories =>
  sqlRepositories(postgresDriver(pool));
