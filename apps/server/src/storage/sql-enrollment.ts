import type { CredentialRow, EnrollmentTokenInfo } from '../modules/enrollment/enrollment-types';
import type { NodeBinding } from '../modules/enrollment/node-binding';
import type {
  BindOutcome,
  EnrollAttempt,
  EnrollmentRepository,
  EnrollOutcome,
  NewEnrollmentToken,
} from './repositories';
import { txGet, txLock, txRun, type SqlDriver, type TxBody } from './sql-driver';

/*
 * EnrollmentRepository (repositories.ts) once, over either driver (sql-repositories.ts gathers
 * them). Every check-then-write on who holds a node runs under one lock (an advisory lock on
 * PostgreSQL, so two replicas serialise too; SQLite has one writer anyway).
 */

/** One enrollment or binding at a time: the node check and the write must not interleave. */
const ENROLL_LOCK = 'keepwatch.enroll';

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
  yield txLock(ENROLL_LOCK);
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

/** ID-5's binding: the node check and the write under the enrollment lock (ID-2, ID-3). */
function* bindBody(agentId: string, b: NodeBinding): TxBody<BindOutcome> {
  yield txLock(ENROLL_LOCK);
  const holder = (yield txGet(NODE_HOLDER, [b.clusterId, b.name, agentId])) as
    { agentId: string } | undefined;
  if (holder) return { outcome: 'node_taken', holder: holder.agentId };
  const n = (yield txRun(
    `UPDATE agent_credentials SET node_name = $2, cluster_id = $3, role = $4
     WHERE agent_id = $1 AND node_name IS NULL AND credential_hash IS NOT NULL AND revoked_at IS NULL`,
    [agentId, b.name, b.clusterId, b.role],
  )) as number;
  return n === 1 ? { outcome: 'bound' } : { outcome: 'not_bindable' };
}

export class SqlEnrollment implements EnrollmentRepository {
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

  bindIfFree(agentId: string, b: NodeBinding): Promise<BindOutcome> {
    return this.q.transaction(() => bindBody(agentId, b));
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
