import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { HistoryEvent, HostInfo, StatusNode } from '@keepwatch/shared';
import { useHashQuery } from '../../app/hash-location';
import type { PageParams } from '../../app/routes';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useLive, useServerNow } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration, formatOffset } from '../../lib/format-duration';
import { MaintenanceBanner } from '../maintenance/maintenance-banner';
import { MaintenanceButton } from '../maintenance/maintenance-dialog';
import { openWindows, useMaintenance } from '../maintenance/use-maintenance';
import { HostChart } from './host-chart';
import { HostConfigs, HostFacts } from './host-parts';
import './host.css';

const WEEK_MS = 7 * 86_400_000;
const TRANSITIONS = 'vrrp.transition,vip.change,service.health,upstream.health';

/** #/hosts/:name[?cluster=id]: one host's facts, clock, charts, transitions and config files. */
export default function HostPage({ params }: { params: PageParams }) {
  const { t } = useI18n();
  const live = useLive();
  const name = params['name'] ?? '';
  const asked = useHashQuery().get('cluster');
  const matches = live.data.clusters.filter(
    (c) => (asked === null || c.id === asked) && c.nodes.some((n) => n.name === name),
  );
  if (matches.length === 0) {
    if (!live.everLive) return <Loading />;
    return <Empty>{t.host.notFound(name)}</Empty>;
  }
  if (matches.length > 1) {
    return (
      <section>
        <p>{t.host.ambiguous(name)}</p>
        <ul>
          {matches.map((c) => (
            <li key={c.id}>
              <Link href={`/hosts/${encodeURIComponent(name)}?cluster=${encodeURIComponent(c.id)}`}>
                {c.name}
              </Link>
            </li>
          ))}
        </ul>
      </section>
    );
  }
  const cluster = matches[0]!;
  const node = cluster.nodes.find((n) => n.name === name)!;
  return <HostView clusterId={cluster.id} clusterName={cluster.name} node={node} />;
}

function HostView({
  clusterId,
  clusterName,
  node,
}: {
  clusterId: string;
  clusterName: string;
  node: StatusNode;
}) {
  const { t, fmt } = useI18n();
  const { api } = useServices();
  const now = useServerNow();
  const windows = useMaintenance(clusterId);
  const [info, setInfo] = useState<HostInfo | null>(null);
  const [events, setEvents] = useState<HistoryEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [asOf] = useState(now);
  useEffect(() => {
    let gone = false;
    Promise.all([
      api.host(clusterId, node.name),
      api.timeline({
        cluster: clusterId,
        node: node.name,
        from: asOf - WEEK_MS,
        to: asOf + 60_000,
        types: TRANSITIONS,
        limit: 200,
      }),
    ]).then(
      ([h, tl]) => {
        if (gone) return;
        setInfo(h);
        setEvents([...tl.events].reverse());
        setError(null);
      },
      (err: unknown) => !gone && setError((err as Error).message),
    );
    return () => {
      gone = true;
    };
  }, [api, clusterId, node.name, asOf, attempt]);
  const metrics =
    node.role === 'lb' ? ['latency.nginx', 'nginx.rps', 'nginx.active'] : ['latency.tomcat'];
  const held = windows.filter(
    (w) => w.clusterId === clusterId && (w.node === null || w.node === node.name),
  );
  return (
    <section aria-labelledby="host-title" data-testid="host-page">
      <div className="page-head">
        <nav className="crumbs" aria-label={t.cluster.crumbs}>
          <Link href="/">{t.shell.nav.overview}</Link> /{' '}
          <Link href={`/clusters/${encodeURIComponent(clusterId)}`}>{clusterName}</Link> /{' '}
          <span>{node.name}</span>
        </nav>
        <div className="page-actions">
          <MaintenanceButton clusterId={clusterId} nodes={[node.name]} node={node.name} />
        </div>
      </div>
      <h1 id="host-title">
        {t.host.title(node.name)}{' '}
        <span
          className={`badge badge-small ${node.online ? 'state-backup' : 'badge-stale'}`}
          data-testid="host-online"
        >
          {node.online ? t.host.online : t.host.offline}
        </span>
        {openWindows(windows, now, clusterId, node.name).length > 0 && (
          <span className="badge badge-small badge-maint">{t.maintenance.badge}</span>
        )}
      </h1>
      <MaintenanceBanner windows={held} now={now} />
      {error && <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />}
      <div className="host-grid">
        <div className="host-card">
          <h2>{t.host.facts}</h2>
          {info ? <HostFacts info={info} node={node} now={now} /> : !error && <Loading />}
          <dl className="facts">
            <dt>{t.host.clock}</dt>
            <dd data-testid="clock-offset">
              {node.clockOffsetMs === null
                ? t.host.clockUnknown
                : `${formatOffset(node.clockOffsetMs)} · ${t.host.clockValue(node.clockOffsetMs)}`}
            </dd>
            <dt>{t.host.lastSeen}</dt>
            <dd>
              {node.lastSeen === undefined
                ? t.host.notReported
                : `${fmt.dateTime(node.lastSeen)} (${formatDuration(now - node.lastSeen, t.durationUnits)})`}
            </dd>
          </dl>
        </div>
        <div className="host-card">
          <h2>{t.host.charts}</h2>
          {metrics.map((m) => (
            <HostChart key={m} cluster={clusterId} node={node.name} metric={m} now={now} />
          ))}
        </div>
      </div>
      <div className="host-card">
        <h2>{t.host.transitions}</h2>
        {events === null ? (
          !error && <Loading />
        ) : events.length === 0 ? (
          <Empty>{t.host.transitionsEmpty}</Empty>
        ) : (
          <ul className="host-events" data-testid="host-transitions">
            {events.slice(0, 50).map((e) => (
              <li key={`${e.agentId}:${e.seq}:${e.type}:${e.ts}`}>
                <span className="mono small nowrap">{fmt.dateTime(e.ts)}</span> {e.summary}{' '}
                <Link
                  href={`/clusters/${encodeURIComponent(clusterId)}?at=${Math.round(e.ts)}`}
                  className="small"
                >
                  {t.host.onTimeline}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="host-card">
        <h2>{t.host.configs}</h2>
        {info ? <HostConfigs files={info.configs} /> : !error && <Loading />}
      </div>
    </section>
  );
}
