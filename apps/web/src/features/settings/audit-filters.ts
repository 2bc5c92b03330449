import type { AuditQuery } from '@keepwatch/shared';

/*
 * The audit page's filters live in the hash query (#/audit?user=alice&action=user.&from=…&to=…),
 * so a filtered view is a link; times travel as epoch ms, the inputs show local datetime.
 */

export interface AuditFilters {
  user: string;
  action: string;
  /** datetime-local values ("2026-12-02T06:00"), '' for none. */
  from: string;
  to: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Epoch ms → a datetime-local value in the browser's zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function filtersFromQuery(q: URLSearchParams): AuditFilters {
  const time = (k: string): string => {
    const v = Number(q.get(k));
    return Number.isFinite(v) && v > 0 ? toLocalInput(v) : '';
  };
  return {
    user: q.get('user') ?? '',
    action: q.get('action') ?? '',
    from: time('from'),
    to: time('to'),
  };
}

const ms = (local: string): number | undefined => {
  if (local === '') return undefined;
  const v = new Date(local).getTime();
  return Number.isNaN(v) ? undefined : v;
};

/** The hash query of a filter set ('' when none). */
export function queryOf(f: AuditFilters): string {
  const p = new URLSearchParams();
  if (f.user.trim()) p.set('user', f.user.trim());
  if (f.action.trim()) p.set('action', f.action.trim());
  const from = ms(f.from);
  const to = ms(f.to);
  if (from !== undefined) p.set('from', String(from));
  if (to !== undefined) p.set('to', String(to));
  return p.toString();
}

/** The server query (GET /audit) of a filter set. */
export function auditQuery(f: AuditFilters, limit: number, before?: number): AuditQuery {
  const from = ms(f.from);
  const to = ms(f.to);
  return {
    limit,
    ...(before !== undefined && { before }),
    ...(f.user.trim() !== '' && { actor: f.user.trim() }),
    ...(f.action.trim() !== '' && { action: f.action.trim() }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
  };
}
