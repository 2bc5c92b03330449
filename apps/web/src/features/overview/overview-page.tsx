import { memo, useDeferredValue, useMemo } from 'react';
import type { DrillProof } from '@keepwatch/shared';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { Link, useLocation } from 'wouter';
import { useHashQuery } from '../../app/hash-location';
import { Empty, Loading } from '../../app/page-states';
import { useLive, useServerNow } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration } from '../../lib/format-duration';
import { VerdictBadge } from '../cluster/verdict-badge';
import { UnprovenBadge } from '../drills/unproven-badge';
import { useDrillProof } from '../drills/use-drill-proof';
import { useMaintenance } from '../maintenance/use-maintenance';
import { buildRows, filterRows, type ClusterRow, type StatusFilter } from './overview-model';
import './overview.css';

const ROW_PX = 66;
const STATUSES: StatusFilter[] = [
  'all',
  'problems',
  'down',
  'at_risk',
  'unknown',
  'degraded',
  'healthy',
];

/**
 * Every cluster at a glance, worst first, live. Rows are virtualised (only what is on screen
 * is in the DOM), so 500 clusters cost what 15 do. Filters live in the URL (#/?q=…&status=…)
 * so a filtered view can be shared.
 */
export default function OverviewPage() {
  const { t } = useI18n();
  const live = useLive();
  const query = useHashQuery();
  const [, navigate] = useLocation();
  const q = query.get('q') ?? '';
  const status = (query.get('status') ?? 'all') as StatusFilter;
  const deferredQ = useDeferredValue(q);
  const rows = useMemo(
    () => buildRows(live.data.clusters, live.alerts?.active ?? []),
    [live.data.clusters, live.alerts],
  );
  const shown = useMemo(() => filterRows(rows, deferredQ, status), [rows, deferredQ, status]);

  const setFilter = (key: string, value: string): void => {
    const next = new URLSearchParams(query);
    if (value === '' || value === 'all') next.delete(key);
    else next.set(key, value);
    const text = next.toString();
    navigate(text ? `/?${text}` : '/', { replace: true });
  };

  if (!live.everLive && live.data.clusters.length === 0)
    return <Loading text={t.clustersLoading} />;
  return (
    <section className="overview" aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">{t.overview.title}</h1>
        <span className="muted" data-testid="overview-count">
          {t.overview.summary(shown.length, rows.length)}
        </span>
        <div className="filters">
          <label>
            <span className="sr-only">{t.overview.search}</span>
            <input
              type="search"
              data-testid="overview-search"
              placeholder={t.overview.searchPlaceholder}
              aria-label={t.overview.search}
              value={q}
              onChange={(e) => setFilter('q', e.target.value)}
            />
          </label>
          <label>
            <span className="sr-only">{t.overview.status}</span>
            <select
              data-testid="overview-status"
              aria-label={t.overview.status}
              value={status}
              onChange={(e) => setFilter('status', e.target.value)}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s === 'all'
                    ? t.overview.statusAll
                    : s === 'problems'
                      ? t.overview.statusProblems
                      : t.verdict[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {rows.length === 0 ? (
        <Empty>{t.clustersEmpty}</Empty>
      ) : shown.length === 0 ? (
        <Empty>{t.overview.noMatch}</Empty>
      ) : (
        <ClusterList rows={shown} />
      )}
    </section>
  );
}

function ClusterList({ rows }: { rows: ClusterRow[] }) {
  const { t } = useI18n();
  const now = useServerNow(5000);
  const windows = useMaintenance();
  const proof = useDrillProof();
  const held = useMemo(
    () =>
      new Set(windows.filter((w) => w.startsAt <= now && w.endsAt > now).map((w) => w.clusterId)),
    [windows, now],
  );
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => ROW_PX,
    overscan: 8,
  });
  return (
    <div
      className="cluster-table"
      role="table"
      aria-rowcount={rows.length}
      data-testid="overview-table"
    >
      <div className="cluster-row cluster-row-head" role="row">
        <span role="columnheader">{t.overview.colCluster}</span>
        <span role="columnheader">{t.overview.colVerdict}</span>
        <span role="columnheader">{t.overview.colReasons}</span>
        <span role="columnheader">{t.overview.colVips}</span>
        <span role="columnheader">{t.overview.colNodes}</span>
        <span role="columnheader">{t.overview.colAlerts}</span>
        <span role="columnheader">{t.overview.colFailover}</span>
      </div>
      <div className="cluster-rows" style={{ height: virtualizer.getTotalSize() }} role="rowgroup">
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <div
              key={row.cluster.id}
              className="cluster-row-slot"
              style={{
                transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)`,
              }}
            >
              <Row
                row={row}
                now={now}
                index={item.index}
                maintenance={held.has(row.cluster.id)}
                proof={proof.get(row.cluster.id)}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

const Row = memo(function Row({
  row,
  now,
  index,
  maintenance,
  proof,
}: {
  row: ClusterRow;
  now: number;
  index: number;
  /** A window is open on the cluster or one of its hosts: its alerts are held. */
  maintenance: boolean;
  /** When a drill last proved the cluster's failover; flagged when stale. */
  proof: DrillProof | undefined;
}) {
  const { t, fmt } = useI18n();
  const c = row.cluster;
  const [first, ...rest] = c.findings;
  return (
    <div
      className={`cluster-row verdict-edge-${c.verdict}`}
      role="row"
      aria-rowindex={index + 1}
      data-testid={`overview-row-${c.id}`}
      data-verdict={c.verdict}
    >
      <span role="cell" className="cell-name">
        <Link href={`/clusters/${encodeURIComponent(c.id)}`} className="cluster-link">
          {c.name}
        </Link>
        <span className="muted mono small">{c.id}</span>
        {maintenance && (
          <span className="badge badge-small badge-maint" data-testid={`overview-maint-${c.id}`}>
            {t.maintenance.badge}
          </span>
        )}
        <UnprovenBadge clusterId={c.id} proof={proof} />
      </span>
      <span role="cell">
        <VerdictBadge verdict={c.verdict} />
      </span>
      <span role="cell" className="cell-reasons small">
        {first ? fmt.finding(first) : <span className="muted">{t.noFindings}</span>}
        {rest.length > 0 && (
          <span className="muted"> · {t.overview.moreFindings(rest.length)}</span>
        )}
      </span>
      <span role="cell" className="cell-vips small">
        {c.vips.map((v) => (
          <span
            key={v.address}
            className={`vip-chip${v.holders.length === 1 ? '' : ' vip-chip-bad'}`}
          >
            <span className="mono">{v.address}</span> →{' '}
            {v.holders.length === 0 ? t.overview.noHolder : fmt.list(v.holders)}
          </span>
        ))}
      </span>
      <span role="cell" className={`small${row.online < row.total ? ' text-warn' : ''}`}>
        {t.overview.nodesOnline(row.online, row.total)}
      </span>
      <span role="cell" className={`small${row.alerts > 0 ? ' text-bad' : ' muted'}`}>
        {t.overview.alertsOpen(row.alerts)}
      </span>
      <span
        role="cell"
        className="small muted"
        title={row.lastFailover === null ? undefined : fmt.dateTime(row.lastFailover)}
      >
        {row.lastFailover === null
          ? t.overview.never
          : t.overview.ago(formatDuration(now - row.lastFailover, t.durationUnits))}
      </span>
    </div>
  );
});
