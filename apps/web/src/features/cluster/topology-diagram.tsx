import { useMemo, useRef } from 'react';
import type { StatusCluster } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { BackendCard } from './backend-card';
import { LbCard } from './lb-card';
import { buildEdges, splitNodes, vipCondition, vipsHeldBy } from './topology-model';
import { useConnectors } from './use-connectors';
import { VipBox } from './vip-box';

/** Three tiers, top to bottom: VIPs → load balancers → backends, joined by lines. */
export function TopologyDiagram({ cluster, now }: { cluster: StatusCluster; now: number }) {
  const { t } = useI18n();
  const containerRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const { lbs, backends } = useMemo(() => splitNodes(cluster), [cluster]);
  const edges = useMemo(() => buildEdges(cluster), [cluster]);
  const splitVips = new Set(
    cluster.vips.filter((v) => vipCondition(v) === 'split').map((v) => v.address),
  );
  useConnectors(containerRef, svgRef, edges);

  return (
    <div className="topology" ref={containerRef}>
      <svg className="edges" ref={svgRef} aria-hidden="true">
        <defs>
          {['holder', 'split', 'traffic', 'traffic-bad'].map((k) => (
            <marker
              key={k}
              id={`arrow-${cluster.id}-${k}`}
              className={`arrow-${k}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerUnits="userSpaceOnUse"
              markerWidth="11"
              markerHeight="11"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" />
            </marker>
          ))}
        </defs>
        {edges.map((e) => (
          <path
            key={e.id}
            data-edge={e.id}
            className={`edge edge-${e.kind}`}
            markerEnd={
              e.kind === 'standby' || e.kind === 'idle'
                ? undefined
                : `url(#arrow-${cluster.id}-${e.kind})`
            }
          />
        ))}
      </svg>
      <div className="tier tier-vips">
        {cluster.vips.map((vip) => (
          <VipBox key={`${vip.instance}/${vip.address}`} vip={vip} />
        ))}
      </div>
      <div className="tier-label">{t.roleLb}</div>
      <div className="tier tier-lbs">
        {lbs.map((n) => {
          const held = vipsHeldBy(n, cluster);
          return (
            <LbCard
              key={n.name}
              node={n}
              heldVips={held}
              splitBrain={held.some((a) => splitVips.has(a))}
              now={now}
            />
          );
        })}
      </div>
      <div className="tier-label">{t.roleBackend}</div>
      <div className="tier tier-backends">
        {backends.map((n) => (
          <BackendCard key={n.name} node={n} now={now} />
        ))}
      </div>
    </div>
  );
}
