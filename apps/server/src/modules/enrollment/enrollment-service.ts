import { randomBytes } from 'node:crypto';
import type { BindOutcome, EnrollmentRepository } from '../../storage/repositories';
import {
  DEFAULT_TOKEN_TTL_S,
  MAX_TOKEN_TTL_S,
  agentIdFor,
  sha256Hex,
  type CredentialRow,
  type EnrollmentTokenInfo,
  type EnrollRequest,
  type EnrollResult,
} from './enrollment-types';
import {
  DEFAULT_CLUSTER_ID,
  DEFAULT_ROLE,
  defaultNodeName,
  type NodeBinding,
} from './node-binding';

/*
 * Enrollment tokens and agent credentials over the enrollment repository (app.repos, SQLite
 * or PostgreSQL). The secrets are made here and leave exactly once (create/enroll results);
 * the repository stores their sha256 and does each check-and-write atomically.
 */
export class EnrollmentService {
  constructor(
    private readonly repo: EnrollmentRepository,
    private readonly now: () => number,
  ) {}

  async createToken(opts: {
    ttlSeconds?: number;
    note?: string;
    createdBy?: string;
  }): Promise<{ id: string; token: string; expiresAt: number }> {
    const ttl = Math.min(Math.max(opts.ttlSeconds ?? DEFAULT_TOKEN_TTL_S, 60), MAX_TOKEN_TTL_S);
    const id = randomBytes(6).toString('hex');
    const token = `kwe_${randomBytes(32).toString('base64url')}`;
    const at = this.now();
    const expiresAt = at + ttl * 1000;
    await this.repo.createToken({
      id,
      tokenHash: sha256Hex(token),
      note: opts.note ?? null,
      createdBy: opts.createdBy ?? null,
      createdAt: at,
      expiresAt,
    });
    return { id, token, expiresAt };
  }

  /** Newest first. */
  listTokens(): Promise<EnrollmentTokenInfo[]> {
    return this.repo.listTokens();
  }

  /** Revokes a token; false if there is no such token (or it is revoked already). */
  revokeToken(id: string): Promise<boolean> {
    return this.repo.revokeToken(id, this.now());
  }

  /** Exchanges a token for a new agent credential; single use, checked and spent atomically. */
  async enroll(req: EnrollRequest): Promise<EnrollResult> {
    const binding: NodeBinding = {
      name: req.name ?? defaultNodeName(req.hostname),
      clusterId: req.clusterId ?? DEFAULT_CLUSTER_ID,
      role: req.role ?? DEFAULT_ROLE,
    };
    const agentId = agentIdFor(binding.name);
    const credential = `kwa_${randomBytes(32).toString('base64url')}`;
    const r = await this.repo.enroll({
      tokenHash: sha256Hex(req.token),
      at: this.now(),
      hostname: req.hostname,
      binding,
      agentId,
      credentialHash: sha256Hex(credential),
    });
    if (r.ok) return { ok: true, agentId, credential, binding };
    if (r.reason === 'node_taken') return { ...r, binding };
    return r;
  }

  credential(agentId: string): Promise<(CredentialRow & { hash: string | null }) | undefined> {
    return this.repo.credential(agentId);
  }

  /** The agent id of the live credential bound to this node, other than `except` (ID-2, ID-3). */
  nodeHolder(
    node: Pick<NodeBinding, 'name' | 'clusterId'>,
    except?: string,
  ): Promise<string | undefined> {
    return this.repo.nodeHolder(node, except);
  }

  /** ID-5: binds a credential enrolled before bindings existed, unless the node is taken. */
  bindIfFree(agentId: string, binding: NodeBinding): Promise<BindOutcome> {
    return this.repo.bindIfFree(agentId, binding);
  }

  allCredentials(): Promise<CredentialRow[]> {
    return this.repo.allCredentials();
  }

  /**
   * Revokes the agent id for good: its credential (if any) stops working and, for agents
   * that used the shared lab token, the id itself is banned. Returns false if already revoked.
   */
  revokeAgent(agentId: string): Promise<boolean> {
    return this.repo.revokeAgent(agentId, this.now());
  }
}
