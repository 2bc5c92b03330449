import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AuditEntry } from '@keepwatch/shared';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';

/**
 * The audit log (admin), newest first, paged with the server's cursor. The user and action
 * filters apply to the pages loaded so far (the server's /audit pages by id only).
 */
export default function AuditPage() {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [user, setUser] = useState('');
  const [action, setAction] = useState('');
  const load = useCallback(
    (before?: number) => {
      api.audit({ limit: 200, ...(before !== undefined && { before }) }).then(
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
    [api],
  );
  useEffect(() => load(), [load]);
  const shown = useMemo(
    () =>
      (entries ?? []).filter(
        (e) =>
          (user === '' || e.actor.includes(user)) && (action === '' || e.action.includes(action)),
      ),
    [entries, user, action],
  );
  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">{t.settings.auditTitle}</h1>
        <div className="filters">
          <input
            aria-label={t.settings.filterUser}
            placeholder={t.settings.filterUser}
            value={user}
            onChange={(e) => setUser(e.target.value)}
          />
          <input
            aria-label={t.settings.filterAction}
            placeholder={t.settings.filterAction}
            value={action}
            onChange={(e) => setAction(e.target.value)}
          />
        </div>
      </div>
      {error && <ErrorState message={error} onRetry={() => load()} />}
      {entries === null ? (
        !error && <Loading />
      ) : shown.length === 0 ? (
        <Empty>{t.settings.empty}</Empty>
      ) : (
        <table className="kw-table" data-testid="audit-table">
          <thead>
            <tr>
              <th>{t.settings.colTime}</th>
              <th>{t.settings.colActor}</th>
              <th>{t.settings.colAction}</th>
              <th>{t.settings.colTarget}</th>
              <th>{t.settings.colResult}</th>
              <th>{t.settings.colIp}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id} className={e.result === 'ok' ? '' : 'text-bad'}>
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
          {t.settings.older}
        </button>
      )}
    </section>
  );
}
