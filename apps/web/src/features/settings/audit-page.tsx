import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { AuditEntry } from '@keepwatch/shared';
import { useHashSearch, navigate } from '../../app/hash-location';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { ListPage, ResourceTable, type Column } from '../../ui/resource-table';
import { auditQuery, filtersFromQuery, queryOf, type AuditFilters } from './audit-filters';

const PAGE = 200;

/**
 * The audit log (admin), newest first, filtered by the server (user, action or prefix, time
 * range) and paged with its cursor. The filters are in the link (#/audit?user=…).
 */
export default function AuditPage() {
  const search = useHashSearch();
  // A new filter (a new link) is a new view: its own loading state, no stale rows.
  return <AuditView key={search} search={search} />;
}

function AuditView({ search }: { search: string }) {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const applied = useMemo(() => filtersFromQuery(new URLSearchParams(search)), [search]);
  const [draft, setDraft] = useState<AuditFilters>(applied);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    (before?: number) => {
      api.audit(auditQuery(applied, PAGE, before)).then(
        (page) => {
          setEntries((old) =>
            before === undefined ? page.entries : [...(old ?? []), ...page.entries],
          );
          setNext(page.nextBefore);
          setError(null);
        },
        (err: unknown) => setError((err as Error).message),
      );
    },
    [api, applied],
  );
  useEffect(() => load(), [load]);
  const apply = (f: AuditFilters) => (e?: FormEvent) => {
    e?.preventDefault();
    const q = queryOf(f);
    navigate(q === '' ? '/audit' : `/audit?${q}`, { replace: true });
  };
  const set = (k: keyof AuditFilters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const s = t.settings;
  const columns: Column<AuditEntry>[] = [
    { head: s.colTime, cell: (e) => fmt.dateTime(e.at), className: 'small nowrap' },
    { head: s.colActor, cell: (e) => e.actor },
    { head: s.colAction, cell: (e) => e.action, className: 'mono small' },
    { head: s.colTarget, cell: (e) => e.target ?? '—', className: 'mono small' },
    { head: s.colResult, cell: (e) => e.result },
    { head: s.colIp, cell: (e) => e.ip ?? '—', className: 'mono small' },
  ];
  return (
    <ListPage id="audit" title={s.auditTitle}>
      <form className="filters" onSubmit={apply(draft)} data-testid="audit-filters">
        <input
          aria-label={s.filterUser}
          placeholder={s.filterUser}
          value={draft.user}
          onChange={set('user')}
          data-testid="audit-user"
        />
        <input
          aria-label={s.filterAction}
          placeholder={s.filterAction}
          title={s.filterActionHint}
          value={draft.action}
          onChange={set('action')}
          data-testid="audit-action"
        />
        <label className="small">
          {s.filterFrom}{' '}
          <input
            type="datetime-local"
            value={draft.from}
            onChange={set('from')}
            data-testid="audit-from"
          />
        </label>
        <label className="small">
          {s.filterTo}{' '}
          <input
            type="datetime-local"
            value={draft.to}
            onChange={set('to')}
            data-testid="audit-to"
          />
        </label>
        <span className="muted small">{s.filterZone(fmt.zone)}</span>
        <button type="submit" className="primary" data-testid="audit-apply">
          {s.filterApply}
        </button>
        <button
          type="button"
          className="ghost"
          onClick={apply({ user: '', action: '', from: '', to: '' })}
        >
          {s.filterClear}
        </button>
      </form>
      <ResourceTable
        state={{ value: entries, error, reload: () => load() }}
        columns={columns}
        rowKey={(e) => e.id}
        rowProps={(e) => ({
          className: e.result === 'ok' ? '' : 'text-bad',
          'data-action': e.action,
        })}
        empty={s.empty}
        testId="audit-table"
      />
      {next !== null && (
        <button type="button" className="ghost" onClick={() => load(next)}>
          {s.older}
        </button>
      )}
    </ListPage>
  );
}
