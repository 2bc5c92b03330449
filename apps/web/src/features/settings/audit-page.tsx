import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { AuditEntry } from '@keepwatch/shared';
import { useHashSearch, navigate } from '../../app/hash-location';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
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
  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">{s.auditTitle}</h1>
      </div>
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
      {error && <ErrorState message={error} onRetry={() => load()} />}
      {entries === null ? (
        !error && <Loading />
      ) : entries.length === 0 ? (
        <Empty>{s.empty}</Empty>
      ) : (
        <table className="kw-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">{s.colTime}</th>
              <th scope="col">{s.colActor}</th>
              <th scope="col">{s.colAction}</th>
              <th scope="col">{s.colTarget}</th>
              <th scope="col">{s.colResult}</th>
              <th scope="col">{s.colIp}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} className={e.result === 'ok' ? '' : 'text-bad'} data-action={e.action}>
                <td className="small nowrap">{fmt.dateTime(e.at)}</td>
                <td>{e.actor}</td>
                <td className="mono small">{e.action}</td>
                <td className="mono small">{e.target ?? '—'}</td>
                <td>{e.result}</td>
                <td className="mono small">{e.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" className="ghost" onClick={() => load(next)}>
          {s.older}
        </button>
      )}
    </section>
  );
}
