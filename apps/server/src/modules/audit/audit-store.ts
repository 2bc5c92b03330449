import type { Database } from 'better-sqlite3';
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

interface AuditRow extends Omit<AuditEntry, 'detail'> {
  detail: string;
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Append-only audit table: written synchronously so an action and its record cannot part. */
export class AuditStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  record(input: AuditInput): number {
    const info = this.db
      .prepare(
        'INSERT INTO audit (at, actor, action, target, result, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        this.now(),
        input.actor,
        input.action,
        input.target ?? null,
        input.result ?? 'ok',
        JSON.stringify(input.detail ?? {}),
        input.ip ?? null,
      );
    return Number(info.lastInsertRowid);
  }

  /** Deletes entries older than `maxAgeMs`; returns how many. */
  prune(maxAgeMs: number): number {
    return this.db.prepare('DELETE FROM audit WHERE at < ?').run(this.now() - maxAgeMs).changes;
  }

  /** Newest first, `limit` entries with id < `before` (a cursor: the last page's smallest id). */
  list(limit: number, before?: number): AuditEntry[] {
    const rows = (
      before === undefined
        ? this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?')
            .all(before, limit)
    ) as AuditRow[];
    return rows.map((r) => ({ ...r, detail: parseDetail(r.detail) }));
  }
}
