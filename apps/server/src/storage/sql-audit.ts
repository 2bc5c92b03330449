import type { AuditEntry, AuditResult } from '@keepwatch/shared';
import type { AuditFilter, AuditInput } from '../modules/audit/audit-types';
import type { AuditRepository } from './repositories';
import type { SqlDriver, SqlValue } from './sql-driver';

/* AuditRepository (repositories.ts) once, over either driver (sql-repositories.ts gathers them). */

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

export class SqlAudit implements AuditRepository {
  constructor(private readonly q: SqlDriver) {}

  async record(e: AuditInput, at: number): Promise<number> {
    const row = await this.q.get<{ id: number }>(
      'INSERT INTO audit (at, actor, action, target, result, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [
        at,
        e.actor,
        e.action,
        e.target ?? null,
        e.result ?? 'ok',
        JSON.stringify(e.detail ?? {}),
        e.ip ?? null,
      ],
    );
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return row.id;
  }

  async list(limit: number, before?: number, filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (sql: (n: number) => string, ...values: SqlValue[]): void => {
      params.push(...values);
      where.push(sql(params.length - values.length + 1));
    };
    if (before !== undefined) add((n) => `id < $${n}`, before);
    if (filter.actor !== undefined) add((n) => `actor = $${n}`, filter.actor);
    // A prefix without LIKE: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    if (filter.action?.endsWith('.'))
      add((n) => `substr(action, 1, $${n + 1}) = $${n}`, filter.action, filter.action.length);
    else if (filter.action !== undefined) add((n) => `action = $${n}`, filter.action);
    if (filter.from !== undefined) add((n) => `at >= $${n}`, filter.from);
    if (filter.to !== undefined) add((n) => `at < $${n}`, filter.to);
    params.push(limit);
    const rows = await this.q.all<{
      id: number;
      at: number;
      actor: string;
      action: string;
      target: string | null;
      result: AuditResult;
      detail: string;
      ip: string | null;
    }>(
      `SELECT id, at, actor, action, target, result, detail, ip FROM audit
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ ...r, detail: parseDetail(r.detail) }));
  }

  prune(before: number): Promise<number> {
    return this.q.run('DELETE FROM audit WHERE at < $1', [before]);
  }
}
