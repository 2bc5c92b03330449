import { Link } from 'wouter';
import type { PageParams } from '../../app/routes';
import { useLive } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { DrillHistory } from './drill-history';
import { DrillSchedules } from './drill-schedules';
import './drills.css';

/** #/clusters/:id/drills — a cluster's drill history and its schedules. */
export default function ClusterDrillsPage({ params }: { params: PageParams }) {
  const { t } = useI18n();
  const id = params['id'] ?? '';
  const cluster = useLive().data.clusters.find((c) => c.id === id);
  const name = cluster?.name ?? id;
  return (
    <div className="drills-page" data-testid="cluster-drills-page">
      <nav className="crumbs" aria-label={t.cluster.crumbs}>
        <Link href="/">{t.shell.nav.overview}</Link> /{' '}
        <Link href={`/clusters/${encodeURIComponent(id)}`}>{name}</Link> /{' '}
        <span>{t.drills.nav}</span>
      </nav>
      <div className="page-head">
        <h1>{t.drills.historyTitle(name)}</h1>
      </div>
      <DrillHistory clusterId={id} />
      <DrillSchedules clusterId={id} />
    </div>
  );
}
