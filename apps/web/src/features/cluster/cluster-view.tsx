import type { StatusCluster } from '@keepwatch/shared';
import { TopologyDiagram } from './topology-diagram';
import { VerdictBanner } from './verdict-banner';

/** One cluster: verdict and findings on the left, the live diagram on the right. */
export function ClusterView({ cluster, now }: { cluster: StatusCluster; now: number }) {
  return (
    <section className="cluster" aria-label={cluster.name}>
      <VerdictBanner
        clusterId={cluster.id}
        clusterName={cluster.name}
        verdict={cluster.verdict}
        findings={cluster.findings}
      />
      <TopologyDiagram cluster={cluster} now={now} />
    </section>
  );
}
