import type { StatusCluster } from '@keepwatch/shared';
import { DrillSlot } from '../drills/drill-slot';
import { FailoverPanel } from './failover-panel';
import { LogPanel } from './log-panel';
import { Timeline } from './timeline';
import { TopologyFlow } from './topology-flow';
import { VerdictBanner } from './verdict-banner';
import { TruthSection } from '../truth/truth-section';

/**
 * One cluster: verdict, findings and "will it fail over?" on the left, the live topology on
 * the right; below, the timeline with both load balancers' logs beside it.
 */
export function ClusterView({ cluster, now }: { cluster: StatusCluster; now: number }) {
  return (
    <>
      <section className="cluster" aria-label={cluster.name}>
        <div className="cluster-side">
          <VerdictBanner
            clusterId={cluster.id}
            clusterName={cluster.name}
            verdict={cluster.verdict}
            findings={cluster.findings}
          />
          <FailoverPanel cluster={cluster} />
          <DrillSlot cluster={cluster} />
        </div>
        <TopologyFlow cluster={cluster} now={now} />
      </section>
      <TruthSection cluster={cluster} />
      <div className="cluster-history">
        <Timeline cluster={cluster} />
        <LogPanel cluster={cluster} />
      </div>
    </>
  );
}
