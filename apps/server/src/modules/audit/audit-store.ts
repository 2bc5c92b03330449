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

export interface AuditFilter {
  actor?: string;
  action?: string;
  from?: number;
  to?: number;
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

  /**
   * Newest first, `limit` entries with id < `before` (a cursor: the last page's smallest id),
   * optionally of one actor, one action (or an action prefix ending in '.'), in [from, to).
   */
  list(limit: number, before?: number, filter: AuditFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (sql: string, value: string | number): void => {
      where.push(sql);
      args.push(value);
    };
    if (before !== undefined) add('id < ?', before);
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.action?.endsWith('.')) add('instr(action, ?) = 1', filter.action);
    else if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.from !== undefined) add('at >= ?', filter.from);
    if (filter.to !== undefined) add('at < ?', filter.to);
    const sql = `SELECT * FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, limit) as AuditRow[];
    return rows.map((r) => ({ ...r, detail: parseDetail(r.detail) }));
  }
}
