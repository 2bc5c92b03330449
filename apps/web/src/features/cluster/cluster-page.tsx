import { Link } from 'wouter';
import type { PageParams } from '../../app/routes';
import { Empty, Loading } from '../../app/page-states';
import { useLive, useServerNow } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { ClusterView } from './cluster-view';

/** One cluster, live: verdict and findings, then the topology. */
export default function ClusterPage({ params }: { params: PageParams }) {
  const { t, fmt } = useI18n();
  const live = useLive();
  const now = useServerNow();
  const id = params['id'] ?? '';
  const cluster = live.data.clusters.find((c) => c.id === id);
  if (!cluster) {
    if (!live.everLive) return <Loading text={t.clustersLoading} />;
    return <Empty>{t.cluster.notFound(id)}</Empty>;
  }
  const stale = live.connection !== 'live' && live.data.asOf !== null;
  return (
    <div className={stale ? 'page-stale' : ''}>
      <nav className="crumbs" aria-label={t.cluster.crumbs}>
        <Link href="/">{t.shell.nav.overview}</Link> / <span>{cluster.name}</span>
      </nav>
      {stale && live.data.asOf !== null && (
        <p className="stale-note" role="status">
          {t.liveStaleNote(fmt.dateTime(live.data.asOf))}
        </p>
      )}
      <ClusterView cluster={cluster} now={now} />
    </div>
  );
}
