/* The audit log's shapes (stored by the audit repository: storage/sql-audit.ts). */

import type { AuditEntry, AuditResult } from '@keepwatch/shared';

export type { AuditEntry, AuditResult };

/** One thing somebody did or tried. */
export interface AuditInput {
  /** A username, `agent:<agentId>`, or `system`. */
  actor: string;
  /** Dotted verb, e.g. `auth.login`, `user.create`, `token.revoke`, `agent.enroll`. */
  action: string;
  /** What it was done to (a username, token id, agent id…), if anything. */
  target?: string | null;
  /** Default 'ok'. */
  result?: AuditResult;
  /** Small JSON-able object; never secrets. */
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  from?: number;
  to?: number;
}
