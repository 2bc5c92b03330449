import { Link } from 'wouter';
import type { PageParams } from '../../app/routes';
import { Empty, Loading } from '../../app/page-states';
import { useLive, useServerNow } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { MaintenanceBanner } from '../maintenance/maintenance-banner';
import { MaintenanceButton } from '../maintenance/maintenance-dialog';
import { useMaintenance } from '../maintenance/use-maintenance';
import { ClusterView } from './cluster-view';

/** One cluster, live: maintenance, verdict and findings, the topology, truth and readiness. */
export default function ClusterPage({ params }: { params: PageParams }) {
  const { t, fmt } = useI18n();
  const live = useLive();
  const now = useServerNow();
  const id = params['id'] ?? '';
  const windows = useMaintenance(id);
  const cluster = live.data.clusters.find((c) => c.id === id);
  if (!cluster) {
    if (!live.everLive) return <Loading text={t.clustersLoading} />;
    return <Empty>{t.cluster.notFound(id)}</Empty>;
  }
  const stale = live.connection !== 'live' && live.data.asOf !== null;
  return (
    <div className={stale ? 'page-stale' : ''}>
      <div className="page-head">
        <nav className="crumbs" aria-label={t.cluster.crumbs}>
          <Link href="/">{t.shell.nav.overview}</Link> / <span>{cluster.name}</span>
          {' · '}
          <Link
            href={`/clusters/${encodeURIComponent(cluster.id)}/config`}
            data-testid="config-link"
          >
            {t.config.link}
          </Link>
        </nav>
        <div className="page-actions">
          <MaintenanceButton clusterId={cluster.id} nodes={cluster.nodes.map((n) => n.name)} />
        </div>
      </div>
      <MaintenanceBanner windows={windows} now={now} />
      {stale && live.data.asOf !== null && (
        <p className="stale-note" role="status">
          {t.liveStaleNote(fmt.dateTime(live.data.asOf))}
        </p>
      )}
      <ClusterView cluster={cluster} now={now} />
    </div>
  );
}
