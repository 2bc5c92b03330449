import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { NodeRole } from '@keepwatch/shared';
import {
  DEFAULT_CLUSTER_ID,
  DEFAULT_ROLE,
  defaultNodeName,
  type NodeBinding,
} from './node-binding';

/*
 * Enrollment tokens and per-agent credentials in SQLite. Secrets leave this class exactly
 * once (in the create/enroll result); only their sha256 digests are stored.
 */

export const DEFAULT_TOKEN_TTL_S = 3600;
export const MAX_TOKEN_TTL_S = 7 * 24 * 3600;

export interface EnrollmentTokenInfo {
  id: string;
  note: string | null;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  usedBy: string | null;
  revokedAt: number | null;
}

export interface EnrollRequest {
  token: string;
  hostname: string;
  name?: string;
  clusterId?: string;
  role?: NodeRole;
}

export type EnrollResult =
  | { ok: true; agentId: string; credential: string; binding: NodeBinding }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'revoked' }
  /** ID-2: a live credential already holds this node. */
  | { ok: false; reason: 'node_taken'; holder: string; binding: NodeBinding };

export interface CredentialRow {
  agentId: string;
  hasCredential: boolean;
  hostname: string | null;
  enrolledAt: number;
  revokedAt: number | null;
  /** The node this credential is (null for credentials enrolled before bindings: ID-5). */
  binding: NodeBinding | null;
}

interface CredentialDbRow {
  agent_id: string;
  credential_hash: string | null;
  hostname: string | null;
  node_name: string | null;
  cluster_id: string | null;
  role: string | null;
  enrolled_at: number;
  revoked_at: number | null;
}

function bindingFromRow(r: CredentialDbRow): NodeBinding | null {
  if (r.node_name === null || r.cluster_id === null) return null;
  if (r.role !== 'lb' && r.role !== 'backend') return null;
  return { name: r.node_name, clusterId: r.cluster_id, role: r.role };
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A readable, unique agent id from the host's name: "web-1-3fa9c2". */
export function agentIdFor(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 48);
  return `${base || 'agent'}-${randomBytes(3).toString('hex')}`;
}

interface TokenRow {
  id: string;
  note: string | null;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
  revoked_at: number | null;
}

const toInfo = (r: TokenRow): EnrollmentTokenInfo => ({
  id: r.id,
  note: r.note,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  usedBy: r.used_by,
  revokedAt: r.revoked_at,
});

export class EnrollmentStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  createToken(opts: { ttlSeconds?: number; note?: string; createdBy?: string }): {
    id: string;
    token: string;
    expiresAt: number;
  } {
    const ttl = Math.min(Math.max(opts.ttlSeconds ?? DEFAULT_TOKEN_TTL_S, 60), MAX_TOKEN_TTL_S);
    const id = randomBytes(6).toString('hex');
    const token = `kwe_${randomBytes(32).toString('base64url')}`;
    const at = this.now();
    const expiresAt = at + ttl * 1000;
    this.db
      .prepare(
        'INSERT INTO enrollment_tokens (id, token_hash, note, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, sha256Hex(token), opts.note ?? null, opts.createdBy ?? null, at, expiresAt);
    return { id, token, expiresAt };
  }

  listTokens(): EnrollmentTokenInfo[] {
    const rows = this.db
      .prepare('SELECT * FROM enrollment_tokens ORDER BY created_at DESC')
      .all() as TokenRow[];
    return rows.map(toInfo);
  }

  /** Revokes an unused token; false if there is no such token. */
  revokeToken(id: string): boolean {
    const info = this.db
      .prepare('UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(this.now(), id);
    return info.changes === 1;
  }

  /** Exchanges a token for a new agent credential; single use, checked and spent atomically. */
  enroll(req: EnrollRequest): EnrollResult {
    const hash = sha256Hex(req.token);
    const at = this.now();
    return this.db.transaction((): EnrollResult => {
      const row = this.db
        .prepare('SELECT * FROM enrollment_tokens WHERE token_hash = ?')
        .get(hash) as TokenRow | undefined;
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (row.used_at !== null) return { ok: false, reason: 'used' };
      if (row.expires_at <= at) return { ok: false, reason: 'expired' };
      const binding: NodeBinding = {
        name: req.name ?? defaultNodeName(req.hostname),
        clusterId: req.clusterId ?? DEFAULT_CLUSTER_ID,
        role: req.role ?? DEFAULT_ROLE,
      };
      // Checked before the token is spent: the admin can revoke the holder and retry.
      const holder = this.nodeHolder(binding);
      if (holder !== undefined) return { ok: false, reason: 'node_taken', holder, binding };
      const agentId = agentIdFor(binding.name);
      const credential = `kwa_${randomBytes(32).toString('base64url')}`;
      // The WHERE repeats the checks so the spend is atomic even outside this transaction.
      const spent = this.db
        .prepare(
          'UPDATE enrollment_tokens SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL',
        )
        .run(at, agentId, row.id);
      if (spent.changes !== 1) return { ok: false, reason: 'used' };
      this.db
        .prepare(
          `INSERT INTO agent_credentials (agent_id, credential_hash, hostname, node_name, cluster_id, role, token_id, enrolled_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          agentId,
          sha256Hex(credential),
          req.hostname,
          binding.name,
          binding.clusterId,
          binding.role,
          row.id,
          at,
        );
      return { ok: true, agentId, credential, binding };
    })();
  }

  credential(agentId: string): (CredentialRow & { hash: string | null }) | undefined {
    const r = this.db
      .prepare(
        `SELECT agent_id, credential_hash, hostname, node_name, cluster_id, role, enrolled_at, revoked_at
         FROM agent_credentials WHERE agent_id = ?`,
      )
      .get(agentId) as CredentialDbRow | undefined;
    if (!r) return undefined;
    return {
      agentId: r.agent_id,
      hash: r.credential_hash,
      hasCredential: r.credential_hash !== null,
      hostname: r.hostname,
      enrolledAt: r.enrolled_at,
      revokedAt: r.revoked_at,
      binding: bindingFromRow(r),
    };
  }

  /** The agent id of the live credential bound to this node, other than `except` (ID-2, ID-3). */
  nodeHolder(node: Pick<NodeBinding, 'name' | 'clusterId'>, except?: string): string | undefined {
    const r = this.db
      .prepare(
        `SELECT agent_id FROM agent_credentials
         WHERE cluster_id = ? AND node_name = ? AND credential_hash IS NOT NULL
           AND revoked_at IS NULL AND agent_id <> ? LIMIT 1`,
      )
      .get(node.clusterId, node.name, except ?? '') as { agent_id: string } | undefined;
    return r?.agent_id;
  }

  /** ID-5: binds a credential enrolled before bindings existed to its first hello's node. */
  bind(agentId: string, binding: NodeBinding): void {
    this.db
      .prepare(
        'UPDATE agent_credentials SET node_name = ?, cluster_id = ?, role = ? WHERE agent_id = ?',
      )
      .run(binding.name, binding.clusterId, binding.role, agentId);
  }

  allCredentials(): CredentialRow[] {
    const rows = this.db.prepare('SELECT agent_id FROM agent_credentials').all() as {
      agent_id: string;
    }[];
    return rows
      .map((r) => this.credential(r.agent_id))
      .filter((c): c is CredentialRow & { hash: string | null } => !!c);
  }

  /**
   * Revokes the agent id for good: its credential (if any) stops working and, for agents
   * that used the shared lab token, the id itself is banned. Returns false if already revoked.
   */
  revokeAgent(agentId: string): boolean {
    const at = this.now();
    const info = this.db
      .prepare(
        `INSERT INTO agent_credentials (agent_id, credential_hash, enrolled_at, revoked_at) VALUES (?, NULL, ?, ?)
         ON CONFLICT(agent_id) DO UPDATE SET revoked_at = excluded.revoked_at WHERE revoked_at IS NULL`,
      )
      .run(agentId, at, at);
    return info.changes === 1;
  }
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
