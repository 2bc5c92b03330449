import { useCallback, useEffect } from 'react';
import { Link } from 'wouter';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { useLoad } from '../settings/use-load';

/** A cluster's drills, newest first; re-read when one of them starts or ends. */
export function DrillHistory({ clusterId }: { clusterId: string }) {
  const { api, live } = useServices();
  const { t, fmt } = useI18n();
  const { value, error, reload } = useLoad(
    useCallback(() => api.drills(clusterId, 100).then((r) => r.drills), [api, clusterId]),
  );
  useEffect(
    () =>
      live.subscribeDrills((e) => {
        if (
          e.type === 'drill.phase' &&
          e.clusterId === clusterId &&
          (e.phase === 'preflight' || e.status !== 'running')
        )
          reload();
      }),
    [live, clusterId, reload],
  );
  return (
    <section aria-labelledby="history-title" className="drill-section">
      <h2 id="history-title">{t.drills.historyHeading}</h2>
      {error && <ErrorState message={error} onRetry={reload} />}
      {value === null ? (
        !error && <Loading />
      ) : value.length === 0 ? (
        <Empty>{t.drills.historyEmpty}</Empty>
      ) : (
        <table className="kw-table" data-testid="drill-history">
          <thead>
            <tr>
              <th>
                {t.drills.colStarted} <span className="muted">({fmt.zone})</span>
              </th>
              <th>{t.drills.colKind}</th>
              <th>{t.drills.colStatus}</th>
              <th>{t.drills.colDowntime}</th>
              <th>{t.drills.colFailed}</th>
              <th>{t.drills.colBy}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {value.map((d) => (
              <tr key={d.id} data-testid={`drill-row-${d.id}`} data-status={d.status}>
                <td className="small nowrap">{fmt.dateTime(d.startedAt)}</td>
                <td>{t.drills.kinds[d.kind]}</td>
                <td>
                  <span className={`drill-status status-${d.status}`}>
                    {t.drills.status[d.status]}
                  </span>
                  {d.error && <span className="muted small"> {d.error}</span>}
                </td>
                <td className="mono">{d.downtimeMs === null ? '—' : t.drills.ms(d.downtimeMs)}</td>
                <td className="mono">{d.failedRequests ?? '—'}</td>
                <td>{d.scheduleId === null ? d.startedBy : t.drills.bySchedule(d.scheduleId)}</td>
                <td>
                  <Link href={`/drills/${encodeURIComponent(d.id)}`}>{t.drills.open}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
