import './truth.css';
import type { StatusCluster } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { AvailabilityPanel } from './availability-panel';
import { ReadinessPanel } from './readiness-panel';
import { TruthTable } from './truth-table';
import { useDrillProbe } from './use-drill-probe';

/** The cluster page's "truth and readiness": the per-node table, per-pair readiness, availability. */
export function TruthSection({ cluster }: { cluster: StatusCluster }) {
  const { t } = useI18n();
  const probe = useDrillProbe(cluster.id);
  return (
    <section className="truth" aria-labelledby="truth-title" data-testid="truth-section">
      <h2 id="truth-title">{t.truth.title}</h2>
      <TruthTable cluster={cluster} probe={probe} />
      <div className="truth-panels">
        <ReadinessPanel cluster={cluster} />
        <AvailabilityPanel clusterId={cluster.id} />
      </div>
    </section>
  );
}
