import { createContext, memo, useContext, useMemo } from 'react';
import {
  Handle,
  Position,
  ReactFlow,
  type Node as FlowNode,
  type NodeProps,
  type NodeTypes,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { StatusCluster } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { BackendCard } from './backend-card';
import { flowGraph, type FlowData } from './flow-layout';
import { LbCard } from './lb-card';
import { vipCondition, vipsHeldBy } from './topology-model';
import { VipBox } from './vip-box';

/*
 * The live topology drawn with React Flow: VIP → load balancers (VRRP state, priorities,
 * the VIP their kernel holds, their nginx's view of each upstream) → backends (their own
 * agent's view). The cards read the cluster from context, so a live patch re-renders the
 * cards without rebuilding the graph when its shape did not change.
 */

const ClusterContext = createContext<{ cluster: StatusCluster; now: number } | null>(null);
const useCluster = () => {
  const c = useContext(ClusterContext);
  if (!c) throw new Error('topology card outside its cluster');
  return c;
};

type CardProps = NodeProps<FlowNode<FlowData>>;

const VipNode = memo(function VipNode({ data }: CardProps) {
  const { cluster } = useCluster();
  const vip = cluster.vips.find((v) => v.address === data.key);
  return (
    <>
      {vip && <VipBox vip={vip} />}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </>
  );
});

const LbNode = memo(function LbNode({ data }: CardProps) {
  const { cluster, now } = useCluster();
  const node = cluster.nodes.find((n) => n.name === data.key);
  if (!node) return null;
  const held = vipsHeldBy(node, cluster);
  const split = new Set(
    cluster.vips.filter((v) => vipCondition(v) === 'split').map((v) => v.address),
  );
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <LbCard
        node={node}
        heldVips={held}
        splitBrain={held.some((a) => split.has(a))}
        now={now}
        clusterId={cluster.id}
      />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </>
  );
});

const BackendNode = memo(function BackendNode({ data }: CardProps) {
  const { cluster, now } = useCluster();
  const node = cluster.nodes.find((n) => n.name === data.key);
  if (!node) return null;
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <BackendCard node={node} now={now} />
    </>
  );
});

const nodeTypes: NodeTypes = { vip: VipNode, lb: LbNode, backend: BackendNode };

/** A key that changes only when the graph's shape (nodes, VIPs, edge kinds) changes. */
function shapeKey(c: StatusCluster): string {
  const { edges } = flowGraph(c);
  return `${c.vips.map((v) => v.address).join()}|${c.nodes.map((n) => `${n.role}:${n.name}`).join()}|${edges
    .map((e) => `${e.id}:${e.className ?? ''}`)
    .join()}`;
}

export function TopologyFlow({ cluster, now }: { cluster: StatusCluster; now: number }) {
  const { t } = useI18n();
  const key = shapeKey(cluster);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt only when the shape changes
  const graph = useMemo(() => flowGraph(cluster), [key]);
  const value = useMemo(() => ({ cluster, now }), [cluster, now]);
  return (
    <ClusterContext.Provider value={value}>
      <div className="topology-flow" data-testid="topology" aria-label={t.cluster.topology}>
        <ReactFlow
          nodes={graph.nodes}
          edges={graph.edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ padding: 0.06 }}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          panOnDrag
          zoomOnScroll={false}
          minZoom={0.3}
          maxZoom={1.5}
          proOptions={{ hideAttribution: true }}
        />
      </div>
    </ClusterContext.Provider>
  );
}
