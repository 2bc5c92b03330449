import type { AuditEntry } from '@keepwatch/shared';
import type { Role } from '../plugins/auth-policy';
import type { AuditFilter, AuditInput } from '../modules/audit/audit-types';
import type { CredentialRow, EnrollmentTokenInfo } from '../modules/enrollment/enrollment-types';
import type { NodeBinding } from '../modules/enrollment/node-binding';
import type { UserChange, UserInfo } from '../modules/users/user-store';
import type { ActionRequestsRepository } from './action-requests-repository';
import type { ConfigRepository } from './config-repository';
import type { DrillRepository, DrillSchedulesRepository } from './drill-repository';
import type {
  AlertChannelsRepository,
  AlertQueueRepository,
  AlertsRepository,
} from './alerts-repository';
import type { HistoryRepository } from './history-repository';
import type { IngestRepository } from './ingest-repository';
import type { LeaseRepository } from './lease-repository';
import type { MaintenanceRepository } from './maintenance-repository';

/*
 * The storage contract: one set of repositories, implemented for SQLite (better-sqlite3) and
 * PostgreSQL (pg) by sql-repositories.ts over the two drivers in sql-driver.ts, and checked by
 * one suite (repositories.contract.test.ts) against both. Async because pg is.
 *
 * Repositories hold data, not policy: secrets arrive already hashed, times arrive as
 * arguments (no clock in here), and session lifetimes, roles and password rules stay in the
 * services (plugins/auth-service.ts, modules/*). Shapes are the existing stores' so that
 * moving a module onto its repository is a mechanical change (docs/storage.md).
 */

export type Dialect = 'sqlite' | 'postgres';

/** An insert hit a unique key (a username, a token hash, an agent id) that already exists. */
export class DuplicateKeyError extends Error {
  constructor(cause: unknown) {
    super('duplicate key', { cause });
    this.name = 'DuplicateKeyError';
  }
}

export interface NewUser {
  username: string;
  /** Already hashed (plugins/password-hash.ts). */
  passwordHash: string;
  role: Role;
  createdAt: number;
}

/** What a login checks: the hash and the account state. */
export interface UserCredentials {
  id: number;
  username: string;
  /** As stored; callers check it with isRole. */
  role: string;
  disabled: boolean;
  passwordHash: string;
}

export interface UsersRepository {
  /** The new user's id; DuplicateKeyError if the username exists. */
  create(user: NewUser): Promise<number>;
  count(): Promise<number>;
  /** By username, in code-unit order. */
  list(): Promise<UserInfo[]>;
  get(username: string): Promise<UserInfo | undefined>;
  credentials(username: string): Promise<UserCredentials | undefined>;
  enabledAdmins(): Promise<number>;
  /** Applies the change and stamps updated_at = at; false if there is no such user. */
  update(id: number, change: UserChange, at: number): Promise<boolean>;
  /** Deletes the user with their sessions and API tokens (cascade); false if none. */
  delete(id: number): Promise<boolean>;
  /**
   * Applies `change` (or deletes) unless it would leave no enabled admin: the check and the
   * write in one transaction, serialised with every other such change, so two admins
   * demoting each other at the same moment leave one (users LA-1, docs/storage.md).
   */
  changeKeepingAdmin(
    username: string,
    change: UserChange | 'delete',
    at: number,
  ): Promise<AdminGuarded>;
}

export type AdminGuarded =
  { outcome: 'done'; before: UserInfo } | { outcome: 'not_found' } | { outcome: 'last_admin' };

export interface NewSession {
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
}

/** A session row with its user, as the resolver needs it. */
export interface SessionLookup {
  userId: number;
  username: string;
  role: string;
  disabled: boolean;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number;
}

export interface SessionsRepository {
  /** last_used_at starts at createdAt. */
  create(session: NewSession): Promise<void>;
  lookup(tokenHash: string): Promise<SessionLookup | undefined>;
  touch(tokenHash: string, at: number): Promise<void>;
  delete(tokenHash: string): Promise<boolean>;
  /** Every session of a user but the one with `exceptHash`; how many went. */
  deleteForUser(userId: number, exceptHash?: string): Promise<number>;
  /** Sessions with expires_at <= expiredAt or last_used_at <= idleBefore; how many went. */
  purge(expiredAt: number, idleBefore: number): Promise<number>;
}

export interface ApiTokenRecord {
  id: number;
  name: string;
  role: Role;
  /** The owner's username. */
  owner: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export interface NewApiToken {
  userId: number;
  name: string;
  tokenHash: string;
  role: Role;
  createdAt: number;
  expiresAt: number | null;
}

/** A token row with its owner, as the resolver needs it (roles as stored). */
export interface ApiTokenLookup {
  tokenId: number;
  tokenRole: string;
  expiresAt: number | null;
  lastUsedAt: number | null;
  userId: number;
  username: string;
  role: string;
  disabled: boolean;
}

export interface ApiTokensRepository {
  create(token: NewApiToken): Promise<ApiTokenRecord>;
  get(id: number): Promise<ApiTokenRecord | undefined>;
  /** All tokens, or one user's, by id. */
  list(userId?: number): Promise<ApiTokenRecord[]>;
  ownerId(id: number): Promise<number | undefined>;
  delete(id: number): Promise<boolean>;
  deleteForUser(userId: number): Promise<number>;
  lookup(tokenHash: string): Promise<ApiTokenLookup | undefined>;
  touch(id: number, at: number): Promise<void>;
}

export interface NewEnrollmentToken {
  id: string;
  tokenHash: string;
  note: string | null;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
}

/** An enrollment attempt whose secrets the service already made and hashed. */
export interface EnrollAttempt {
  tokenHash: string;
  at: number;
  hostname: string;
  binding: NodeBinding;
  agentId: string;
  credentialHash: string;
}

export type EnrollOutcome =
  | { ok: true; tokenId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'revoked' }
  /** A live credential already holds this node (enrollment ID-2); the token is not spent. */
  | { ok: false; reason: 'node_taken'; holder: string };

export interface EnrollmentRepository {
  createToken(token: NewEnrollmentToken): Promise<void>;
  /** Newest first. */
  listTokens(): Promise<EnrollmentTokenInfo[]>;
  /** false if there is no such token or it is revoked already. */
  revokeToken(id: string, at: number): Promise<boolean>;
  /**
   * Checks the token (unknown, revoked, used, expired at `at`, in that order) and the node
   * (node_taken), spends the token and stores the credential: all or nothing, and one winner
   * when two attempts race for a token or for a node.
   */
  enroll(attempt: EnrollAttempt): Promise<EnrollOutcome>;
  credential(agentId: string): Promise<(CredentialRow & { hash: string | null }) | undefined>;
  /** The live credential bound to this node, other than `except`. */
  nodeHolder(
    node: Pick<NodeBinding, 'name' | 'clusterId'>,
    except?: string,
  ): Promise<string | undefined>;
  bind(agentId: string, binding: NodeBinding): Promise<void>;
  /**
   * ID-5: binds a live credential that has no node yet, unless another live credential holds
   * that node: the check and the write under the enrollment lock, so two replicas admitting
   * two such hellos for one node at once bind one (modules/enrollment/node-binding.ts).
   */
  bindIfFree(agentId: string, binding: NodeBinding): Promise<BindOutcome>;
  allCredentials(): Promise<CredentialRow[]>;
  /** Revokes the id for good (bans it if it never enrolled); false if already revoked. */
  revokeAgent(agentId: string, at: number): Promise<boolean>;
}

export type BindOutcome =
  | { outcome: 'bound' }
  | { outcome: 'node_taken'; holder: string }
  /** Unknown, revoked, without a credential, or bound already. */
  | { outcome: 'not_bindable' };

export interface AuditRepository {
  /** The entry's id (ids grow: `before` cursors page by them). */
  record(entry: AuditInput, at: number): Promise<number>;
  /** Newest first, as GET /audit lists them (an action ending in '.' is a prefix). */
  list(limit: number, before?: number, filter?: AuditFilter): Promise<AuditEntry[]>;
  /** Deletes entries with at < before; how many. */
  prune(before: number): Promise<number>;
}

export interface Repositories {
  readonly dialect: Dialect;
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  readonly apiTokens: ApiTokensRepository;
  readonly enrollment: EnrollmentRepository;
  readonly audit: AuditRepository;
  readonly ingest: IngestRepository;
  readonly leases: LeaseRepository;
  readonly maintenance: MaintenanceRepository;
  readonly config: ConfigRepository;
  readonly alerts: AlertsRepository;
  readonly alertChannels: AlertChannelsRepository;
  readonly alertQueue: AlertQueueRepository;
  readonly history: HistoryRepository;
  readonly drills: DrillRepository;
  readonly drillSchedules: DrillSchedulesRepository;
  readonly actionRequests: ActionRequestsRepository;
}
