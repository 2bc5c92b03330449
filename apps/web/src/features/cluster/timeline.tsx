import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import type { HistoryEvent, StatusCluster } from '@keepwatch/shared';
import { useHashQuery } from '../../app/hash-location';
import { ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useLive } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { KIND_ICON, describeActivity } from './timeline-activity';
import {
  PRESETS_MS,
  rangeFromQuery,
  rowLink,
  timelineRows,
  zoom,
  type Preset,
  type Range,
  type TimelineRow,
} from './timeline-model';

/** What changes when something worth a timeline row happened (states, VIPs, health). */
function changeKey(c: StatusCluster): string {
  return c.nodes
    .map(
      (n) =>
        `${n.name}:${n.online}:${n.vipsHeld.join()}:${n.vrrp.map((v) => v.state).join()}:${Object.values(
          n.services,
        )
          .map((s) => s?.healthy)
          .join()}`,
    )
    .join('|');
}

/**
 * Both load balancers' VRRP transitions, kernel VIP moves, health changes, config
 * observations, action results, config pushes, drills and alerts on one time axis. The range is in
 * the URL (?span, ?from&to, ?at); a live range is re-read when the cluster's state changes.
 */
export function Timeline({ cluster }: { cluster: StatusCluster }) {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const live = useLive();
  const query = useHashQuery();
  const [location, navigate] = useLocation();
  const [events, setEvents] = useState<HistoryEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now() + live.serverOffsetMs);
  const range = useMemo(() => rangeFromQuery(query, now), [query, now]);
  const key = changeKey(cluster);
  const highlight = Number(query.get('at')) || null;

  // A live range moves with the cluster's changes (debounced: a failover is a burst).
  useEffect(() => {
    if (!range.live) return;
    const timer = setTimeout(() => setNow(Date.now() + live.serverOffsetMs), 400);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- re-arm on state changes only
  }, [key, range.live]);

  useEffect(() => {
    let cancelled = false;
    api
      .timeline({
        cluster: cluster.id,
        from: Math.max(0, Math.floor(range.from)),
        to: Math.ceil(range.to),
        limit: 2000,
      })
      .then(
        (r) => {
          if (cancelled) return;
          setEvents(r.events);
          setError(null);
        },
        (err: unknown) => !cancelled && setError((err as Error).message),
      );
    return () => {
      cancelled = true;
    };
  }, [api, cluster.id, range.from, range.to]);

  const alerts = useMemo(
    () => [...(live.alerts?.active ?? []), ...(live.alerts?.recent ?? [])],
    [live.alerts],
  );
  const rows = useMemo(
    () => timelineRows(events ?? [], alerts, cluster.id, range.from, range.to),
    [events, alerts, cluster.id, range.from, range.to],
  );
  const setRange = (r: Range | Preset): void => {
    const q =
      typeof r === 'string'
        ? `span=${r}`
        : r.live
          ? `span=${spanName(r.to - r.from)}`
          : `from=${r.from}&to=${r.to}`;
    navigate(`${location}?${q}`, { replace: true });
  };

  return (
    <section className="timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <div className="timeline-head">
        <h2 id="timeline-title">{t.cluster.timelineTitle}</h2>
        <div className="range-picker" role="group" aria-label={t.cluster.range}>
          {(Object.keys(PRESETS_MS) as Preset[]).map((p) => (
            <button
              key={p}
              type="button"
              className="ghost"
              aria-pressed={range.live && query.get('span') === p}
              onClick={() => setRange(p)}
            >
              {t.cluster.last(p)}
            </button>
          ))}
          <button
            type="button"
            className="ghost"
            aria-label={t.cluster.zoomIn}
            onClick={() => setRange(zoom(range, 0.5, now))}
          >
            ＋
          </button>
          <button
            type="button"
            className="ghost"
            aria-label={t.cluster.zoomOut}
            onClick={() => setRange(zoom(range, 2, now))}
          >
            －
          </button>
        </div>
        <span className="muted small">
          {fmt.dateTime(range.from)} – {fmt.dateTime(Math.min(range.to, now))}
          {range.live ? ` · ${t.liveLive}` : ''}
        </span>
      </div>
      <Axis
        rows={rows}
        range={range}
        nodes={cluster.nodes.map((n) => n.name)}
        highlight={highlight}
      />
      {error ? (
        <ErrorState message={error} />
      ) : events === null ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p className="muted small">{t.cluster.timelineEmpty}</p>
      ) : (
        <ol className="timeline-list" data-testid="timeline-list">
          {[...rows].reverse().map((r) => (
            <EventRow
              key={r.key}
              row={r}
              clusterId={cluster.id}
              highlight={highlight !== null && Math.abs(r.ts - highlight) < 1000}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

function spanName(ms: number): Preset {
  const presets = Object.entries(PRESETS_MS) as [Preset, number][];
  return presets.reduce(
    (best, p) => (Math.abs(p[1] - ms) < Math.abs(PRESETS_MS[best] - ms) ? p[0] : best),
    '15m' as Preset,
  );
}

/** Lanes per node (and one for alerts) with a tick per event, so bursts show at a glance. */
function Axis({
  rows,
  range,
  nodes,
  highlight,
}: {
  rows: TimelineRow[];
  range: Range;
  nodes: string[];
  highlight: number | null;
}) {
  const { t } = useI18n();
  const lanes = [...nodes, ''];
  const x = (ts: number): number => ((ts - range.from) / (range.to - range.from)) * 1000;
  return (
    <svg
      className="timeline-axis"
      viewBox={`0 0 1000 ${lanes.length * 18}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={t.cluster.axisLabel(rows.length)}
    >
      {lanes.map((lane, i) => (
        <g key={lane || 'alerts'}>
          <line x1="0" x2="1000" y1={i * 18 + 9} y2={i * 18 + 9} className="lane" />
          {rows
            .filter((r) => r.node === lane)
            .map((r) => (
              <rect
                key={r.key}
                x={x(r.ts) - 1}
                y={i * 18 + 3}
                width="3"
                height="12"
                className={`tick tick-${r.kind}${r.bad ? ' tick-bad' : ''}`}
              />
            ))}
        </g>
      ))}
      {highlight !== null && (
        <line
          x1={x(highlight)}
          x2={x(highlight)}
          y1="0"
          y2={lanes.length * 18}
          className="tick-at"
        />
      )}
    </svg>
  );
}

function EventRow({
  row,
  clusterId,
  highlight,
}: {
  row: TimelineRow;
  clusterId: string;
  highlight: boolean;
}) {
  const { t, fmt } = useI18n();
  const link = rowLink(row, clusterId);
  return (
    <li
      className={`tl-row tl-${row.kind}${row.bad ? ' tl-bad' : ''}${highlight ? ' tl-at' : ''}`}
      data-type={row.type}
      data-node={row.node}
    >
      <a
        className="tl-time mono small"
        href={`#/clusters/${encodeURIComponent(clusterId)}?at=${Math.round(row.ts)}`}
        title={fmt.dateTime(row.ts)}
      >
        {fmt.time(row.ts)}
      </a>
      <span className="tl-node">{row.node || t.cluster.clusterWide}</span>
      <span className="tl-kind small">
        <span className="tl-icon" aria-hidden="true">
          {KIND_ICON[row.kind]}
        </span>{' '}
        {t.cluster.kinds[row.kind]}
      </span>
      <span className="tl-summary">
        {describe(row, t, fmt)}
        {link && (
          <>
            {' '}
            <a href={link} className="small" data-testid={`tl-link-${row.kind}`}>
              {t.cluster.events.open}
            </a>
          </>
        )}
      </span>
    </li>
  );
}

type T = ReturnType<typeof useI18n>['t'];
type F = ReturnType<typeof useI18n>['fmt'];

/** The row in the reader's language when its data allows, else the server's summary. */
function describe(row: TimelineRow, t: T, fmt: F): string {
  const d = (row.data ?? {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof d[k] === 'string' ? d[k] : '');
  const words = t.cluster.events;
  const activity = describeActivity(row, t);
  if (activity !== null) return activity;
  switch (row.type) {
    case 'vrrp.transition':
      return words.vrrp(str('instance'), str('state'), Number(d['effectivePriority'] ?? 0));
    case 'vip.change':
      return words.vip(
        d['action'] === 'add',
        String((d['address'] as { address?: string } | undefined)?.address ?? ''),
      );
    case 'service.health': {
      const h = d['health'] as { healthy?: boolean; detail?: string } | undefined;
      return words.health(str('service'), h?.healthy === true, h?.detail ?? '');
    }
    case 'alert.firing':
    case 'alert.resolved':
      return `${row.type === 'alert.firing' ? words.alertFiring : words.alertResolved}: ${fmt.finding(row.data as { message: string })}`;
    default:
      return row.summary;
  }
}
